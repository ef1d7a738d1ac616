import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  AgentHandle,
  allEvents,
  MasterHandle,
  readTaskFile,
  startAgent,
  startMaster,
  tempDir,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const PORT_RANGE: [number, number] = [31200, 31299];
/** requirePorts with a port of the agent's range: the task must get exactly it as its host port. */
const REQUIRED_PORT = 31250;

/**
 * An app's `fetch` on a real agent: the artifacts come from an HTTP server of this test (loopback,
 * a port the kernel picked) and land in the task's sandbox before its command runs; a fetch that
 * fails ends the task as TASK_FAILED with a message naming the uri.
 */
describe('fetch: artifacts in the sandbox before the command starts', () => {
  let master: MasterHandle;
  let agent: AgentHandle;
  let server: Server;
  let base: string;
  const requested: string[] = [];

  beforeAll(async () => {
    const served = tempDir('fetch-served');
    writeFileSync(join(served, 'hello.txt'), 'hello from the test server\n');
    writeFileSync(join(served, 'run.sh'), '#!/bin/sh\necho "run.sh ran"\n');
    mkdirSync(join(served, 'bundle', 'conf'), { recursive: true });
    writeFileSync(join(served, 'bundle', 'conf', 'app.conf'), 'answer=42\n');
    execFileSync('tar', ['-czf', join(served, 'bundle.tar.gz'), '-C', served, 'bundle']);
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      const file = join(served, decodeURIComponent(req.url ?? '/'));
      if (!existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end('not here');
        return;
      }
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: `cpus:4;mem:4096;ports:[${PORT_RANGE[0]}-${PORT_RANGE[1]}]`,
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('downloads a file, unpacks a tar.gz, makes a script executable; the task runs on its required port', async () => {
    const appId = '/e2e/fetched';
    const created = await master.http.post('/v2/apps', {
      id: appId,
      cmd: 'cat hello.txt bundle/conf/app.conf && test -x run.sh && ./run.sh && echo "port=$PORT0" && exec sleep 300',
      cpus: 0.1,
      mem: 16,
      requirePorts: true,
      portDefinitions: [{ port: REQUIRED_PORT, name: 'http' }],
      fetch: [
        { uri: `${base}/hello.txt` },
        { uri: `${base}/bundle.tar.gz` },
        { uri: `${base}/run.sh`, executable: true },
      ],
    });
    expect(created.status).toBe(201);

    const [task] = await waitForRunningTasks(master, appId, 1, { onTimeout: () => agent.describeLogs() });
    expect(task.ports).toEqual([REQUIRED_PORT]);
    const stdout = await waitFor(
      async () => {
        const text = await readTaskFile(master, task.id, 'stdout');
        return text.includes('port=') ? text : undefined;
      },
      { describe: `stdout of ${task.id} to reach its port line`, onTimeout: () => agent.describeLogs() },
    );
    expect(stdout).toBe(`hello from the test server\nanswer=42\nrun.sh ran\nport=${REQUIRED_PORT}\n`);

    const sandbox = agent.sandboxTasks().find((s) => s.taskId === task.id);
    expect(sandbox).toBeDefined();
    const dir = sandbox!.sandboxDir;
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hello from the test server\n');
    expect(readFileSync(join(dir, 'bundle', 'conf', 'app.conf'), 'utf8')).toBe('answer=42\n');
    expect(existsSync(join(dir, 'bundle.tar.gz'))).toBe(true); // the archive stays, as with Mesos
    expect(statSync(join(dir, 'run.sh')).mode & 0o111).toBe(0o111);

    // The launch recorded what was fetched, Marathon's defaults filled.
    const launched = (await allEvents(master, ['TaskLaunched'])).find((e) => e.data.taskId === task.id);
    expect(launched?.data.fetch).toEqual([
      { uri: `${base}/hello.txt`, extract: true, executable: false, cache: false, destPath: null },
      { uri: `${base}/bundle.tar.gz`, extract: true, executable: false, cache: false, destPath: null },
      { uri: `${base}/run.sh`, extract: true, executable: true, cache: false, destPath: null },
    ]);
  });

  it('a 404 ends the task as TASK_FAILED naming the uri, shown as the app lastTaskFailure; port 0 got a service port', async () => {
    const appId = '/e2e/fetch-missing';
    const uri = `${base}/missing/app.tgz`;
    const created = await master.http.post('/v2/apps', {
      id: appId,
      cmd: 'echo should-not-run; exec sleep 300',
      cpus: 0.1,
      mem: 16,
      backoffSeconds: 600, // one failed launch is enough: no relaunch during the test
      fetch: [{ uri }],
    });
    expect(created.status).toBe(201);
    const servicePort = (created.body as { portDefinitions: { port: number }[] }).portDefinitions[0].port;
    expect(servicePort).toBeGreaterThanOrEqual(10_000);
    expect(servicePort).toBeLessThan(20_000);

    const failure = await waitFor(
      async () => {
        const app = (await master.http.get(`/v2/apps${appId}`)).body.app as {
          lastTaskFailure?: Record<string, unknown>;
        };
        return app.lastTaskFailure;
      },
      { describe: `a lastTaskFailure for ${appId}`, onTimeout: () => agent.describeLogs() },
    );
    expect(failure).toMatchObject({ appId, state: 'TASK_FAILED' });
    expect(failure.message).toBe(`Failed to fetch '${uri}': HTTP 404 Not Found`);
    expect(requested).toContain('/missing/app.tgz');

    const ended = (await allEvents(master, ['TaskStatusUpdated'])).find(
      (e) => e.data.taskId === failure.taskId && e.data.state === 'TASK_FAILED',
    );
    expect(ended?.data).toMatchObject({ reason: 'REASON_CONTAINER_LAUNCH_FAILED', exitCode: null });
    // The command never ran, and its sandbox went with the failed fetch.
    expect(agent.sandboxTasks().some((s) => s.taskId === failure.taskId)).toBe(false);
  });
});
