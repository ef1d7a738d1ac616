import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  cli,
  freePort,
  httpClient,
  isProcessLive,
  Json,
  liveTaskGroups,
  liveWrappers,
  lockHolder,
  processesInGroup,
  readSandboxTasks,
  sendRequest,
  startCli,
  sweepWorkDirAtFileEnd,
  tempDir,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const APP_ID = '/e2e/dev-sleepy';
const DEV_EXIT_TIMEOUT_MS = 30_000;

describe('cairn dev [file]', () => {
  it('runs a master and a local agent; Ctrl-C stops both, exits 0 and leaves no task process', async () => {
    const cwd = tempDir('dev');
    const port = await freePort();
    const dataDir = join(cwd, '.cairn'); // `cairn dev`'s default: ./.cairn
    const workDir = join(dataDir, 'agent');
    sweepWorkDirAtFileEnd(workDir); // its agent is cairn dev's child, not ours: swept by its work dir
    const { dev, url, api } = await runDev(cwd, port, []);
    const agentView = await localAgentConnected(api);
    expect(agentView.status).toBe('ACTIVE');
    expect(existsSync(join(dataDir, 'agent-token'))).toBe(true); // generated: no CAIRN_AGENT_TOKEN given
    const agent = lockHolder(workDir);
    expect(agent).toBeDefined();
    expect(agent!.pid).not.toBe(dev.process.pid);

    const created = await api.http.post('/v2/apps', {
      id: APP_ID,
      cmd: 'exec sleep 300',
      instances: 2,
      cpus: 0.1,
      mem: 16,
    });
    expect(created.status).toBe(201);
    const tasks = await waitForRunningTasks(api, APP_ID, 2);
    const sandboxes = readSandboxTasks(workDir).filter((s) => tasks.some((t) => t.id === s.taskId));
    expect(sandboxes).toHaveLength(2);
    for (const s of sandboxes) expect(isProcessLive(s.pid, s.startTime)).toBe(true);

    // Ctrl-C in a terminal: SIGINT to cairn dev's process group (its agent has a group of its own).
    dev.process.signalGroup('SIGINT');
    const exit = await waitFor(() => dev.process.exitStatus(), {
      timeoutMs: DEV_EXIT_TIMEOUT_MS,
      describe: 'cairn dev to exit after SIGINT',
      onTimeout: api.describeLogs,
    });
    expect({ exit, stderr: exit.code === 0 ? '' : dev.stderr() }).toEqual({
      exit: { code: 0, signal: null },
      stderr: '',
    });

    // Nothing is left: no task process (by checkpoint or by marker), no agent, no master.
    for (const s of sandboxes) expect(processesInGroup(s.pgid)).toEqual([]);
    expect(liveTaskGroups(workDir)).toEqual([]);
    expect(liveWrappers([workDir])).toEqual([]);
    expect(isProcessLive(agent!.pid, agent!.startTime)).toBe(false);
    await expect(sendRequest(new URL('/ping', url), 'GET', undefined, { timeoutMs: 2_000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('takes --task-ports, says when a port is held by another process, and the CLI finds it on CAIRN_PORT', async () => {
    const cwd = tempDir('dev-ports');
    const port = await freePort();
    const workDir = join(cwd, '.cairn', 'agent');
    sweepWorkDirAtFileEnd(workDir);
    // Two adjacent free ports for the range; the first is held by a process Cairn did not start.
    const [low, high] = await adjacentFreePorts();
    const holder = await holdPort(low);
    const { dev, api } = await runDev(cwd, port, ['--task-ports', `${low}-${high}`]);
    try {
      const agentView = await localAgentConnected(api);
      expect(agentView.resources.ports).toEqual([[low, high]]);

      // The CLI reads CAIRN_PORT as `cairn dev` did: no CAIRN_MASTER needed.
      const created = await cli(['apps', 'create', '--json', '-'], {
        env: { CAIRN_PORT: String(port) },
        stdin: JSON.stringify({ id: '/e2e/dev-port', cmd: 'exec sleep 300', cpus: 0.1, mem: 16, backoffSeconds: 1 }),
      });
      expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });

      // The lowest port is given first, and it is taken: the failure says so instead of a crash loop
      // of "Address already in use".
      const failure = await waitFor(
        async () => (await api.http.get('/v2/apps/e2e/dev-port')).body.app.lastTaskFailure as Json | undefined,
        { describe: 'the launch to fail on the held port', onTimeout: api.describeLogs },
      );
      expect(failure.state).toBe('TASK_FAILED');
      expect(failure.message).toContain(`host port ${low} is already in use on this host`);

      // Freed, the port serves the next launch.
      await new Promise((resolve) => holder.close(resolve));
      const [task] = await waitForRunningTasks(api, '/e2e/dev-port', 1);
      expect(task.ports).toEqual([low]);
    } finally {
      holder.close();
      dev.process.signalGroup('SIGINT');
      await waitFor(() => dev.process.exitStatus(), { timeoutMs: DEV_EXIT_TIMEOUT_MS, describe: 'cairn dev to exit' });
    }
  });

  it('its agent kills its tasks and exits when cairn dev is killed before it can stop it', async () => {
    const cwd = tempDir('dev-orphan');
    const port = await freePort();
    const workDir = join(cwd, '.cairn', 'agent');
    sweepWorkDirAtFileEnd(workDir);
    const { dev, api } = await runDev(cwd, port, []);
    expect(
      (await api.http.post('/v2/apps', { id: '/e2e/dev-orphan', cmd: 'exec sleep 300', cpus: 0.1, mem: 16 })).status,
    ).toBe(201);
    await waitForRunningTasks(api, '/e2e/dev-orphan', 1);
    const agent = lockHolder(workDir)!;
    expect(agent).toBeDefined();
    const [sandbox] = readSandboxTasks(workDir);

    // SIGKILL: cairn dev gets no chance to stop its agent (its agent has a process group of its own).
    dev.process.child.kill('SIGKILL');
    await waitFor(() => !isProcessLive(agent.pid, agent.startTime) || undefined, {
      timeoutMs: 20_000,
      describe: 'the orphaned dev agent to exit',
    });
    expect(processesInGroup(sandbox.pgid)).toEqual([]);
    expect(liveTaskGroups(workDir)).toEqual([]);
  });
});

/** `cairn dev` in `cwd` on `port` (scheduler ticking every 200 ms), once it says it runs. */
async function runDev(cwd: string, port: number, args: readonly string[]) {
  const dev = startCli(['dev', ...args], { cwd, env: { CAIRN_PORT: String(port), CAIRN_TICK_MS: '200' } });
  const url = `http://127.0.0.1:${port}`;
  const api = { http: httpClient(() => url), describeLogs: () => `cairn dev stderr:\n${dev.stderr()}` };
  await dev.waitForLine((line) => line.includes(`running at ${url}`), { describe: 'cairn dev to say it runs' });
  return { dev, url, api };
}

/** The dev agent, once the master lists it as connected (the only agent). */
async function localAgentConnected(api: {
  http: ReturnType<typeof httpClient>;
  describeLogs: () => string;
}): Promise<Json> {
  const [agentView] = await waitFor(
    async () => {
      const agents: Json[] = (await api.http.get('/v1/agents')).body.agents;
      return agents.length === 1 && agents[0].connected ? agents : undefined;
    },
    { describe: "cairn dev's local agent to be connected", onTimeout: api.describeLogs },
  );
  return agentView;
}

/** Two consecutive ports that are free now (a range of two for the dev agent). */
async function adjacentFreePorts(): Promise<[number, number]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const low = await freePort();
    if (low >= 65_535) continue;
    const probe = await holdPort(low + 1).catch(() => undefined);
    if (!probe) continue;
    await new Promise((resolve) => probe.close(resolve));
    return [low, low + 1];
  }
  throw new Error('no two adjacent free ports found');
}

function holdPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
