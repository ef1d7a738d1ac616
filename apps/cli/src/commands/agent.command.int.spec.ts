import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeMaster } from '../../../agent/src/testing/fake-master';
import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';

// `cairn agent --simulated N` in-process against the agent tests' fake master: N agents named
// sim-1 … sim-N register with the usual port range, run tasks (with health checks) through the
// real protocol, and stop cleanly, exit 0, when interrupted (io.signal stands for Ctrl-C).
jest.setTimeout(30_000);

const TOKEN = 'cli-simulated-token';
let master: FakeMaster;
const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-agent-'));

beforeEach(async () => {
  master = await FakeMaster.start({ token: TOKEN, pingIntervalMs: 200 });
});
afterEach(async () => {
  await master.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('cairn agent --simulated', () => {
  it('runs N agents against the masters until interrupted, then closes them and exits 0', async () => {
    const stop = new AbortController();
    const io = captureIo({ env: { CAIRN_AGENT_TOKEN: TOKEN, CAIRN_LOG_LEVEL: 'silent' }, signal: stop.signal });
    const running = run(
      ['agent', '--simulated', '3', '--master', master.url, '--healthy-after', '0.05', '--unhealthy-rate', '0'],
      io,
    );
    await waitFor('three command streams', () => master.openStreams() === 3);
    await waitFor('the connected line', () => io.out() !== '');
    expect(io.out()).toBe(`3 simulated agents are connected to ${master.url}. Ctrl-C stops them.\n`);
    expect(master.registrations.map((r) => [r.hostname, r.resources.ports, r.filesPort]).sort()).toEqual([
      ['sim-1', [[31000, 32000]], 0],
      ['sim-2', [[31000, 32000]], 0],
      ['sim-3', [[31000, 32000]], 0],
    ]);

    // The fake master writes every launch to every stream: each agent runs its own copy.
    master.send({
      type: 'launch',
      task: {
        taskId: 'web.1',
        appId: '/web',
        appVersion: 'v1',
        command: { shell: true, value: 'serve' },
        ports: [31000],
        healthChecks: [
          {
            protocol: 'HTTP',
            path: '/',
            portIndex: 0,
            port: null,
            command: null,
            gracePeriodSeconds: 300,
            intervalSeconds: 10,
            timeoutSeconds: 20,
            maxConsecutiveFailures: 3,
            delaySeconds: 15,
            ignoreHttp1xx: false,
          },
        ],
      },
    });
    await waitFor('three healthy reports', () => master.applied.filter((u) => u.health?.alive === true).length === 3);

    stop.abort();
    expect(await running).toBe(ExitCode.Ok);
    await waitFor('every stream closed', () => master.openStreams() === 0);
    expect(io.err()).toContain('Starting 3 simulated agents (sim-1 … sim-3)');
    expect(io.err()).toContain('Stopping...');
    expect(io.err()).toMatch(/Stopped: 3 tasks launched/);
  });

  it('waits for a master that is not there, and still stops cleanly with exit 0', async () => {
    const stop = new AbortController();
    const io = captureIo({ env: { CAIRN_LOG_LEVEL: 'silent' }, signal: stop.signal });
    const url = master.url;
    await master.close(); // nothing listens there now
    const running = run(['agent', '--simulated', '2', '--master', url], io);
    await waitFor('the start note', () => io.err().includes('waiting for them to connect'));
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few reconnect attempts
    stop.abort();
    expect(await running).toBe(ExitCode.Ok);
    expect(io.err()).toContain('Stopped before every simulated agent connected.');
    master = await FakeMaster.start({ token: TOKEN }); // for afterEach
  });

  it('exits 1 when the master refuses the token, read from --token-file', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'wrong-token\n');
    const io = captureIo({ env: { CAIRN_LOG_LEVEL: 'silent' }, signal: new AbortController().signal });
    expect(await run(['agent', '--simulated', '1', '--master', master.url, '--token-file', tokenFile], io)).toBe(
      ExitCode.Refused,
    );
    expect(io.err()).toMatch(/error: .*refused this agent's token/);
    expect(master.unauthorized.length).toBeGreaterThan(0);
  });
});
