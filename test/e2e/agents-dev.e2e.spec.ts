import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
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
    const dev = startCli(['dev'], { cwd, env: { CAIRN_PORT: String(port), CAIRN_TICK_MS: '200' } });
    const url = `http://127.0.0.1:${port}`;
    const api = { http: httpClient(() => url), describeLogs: () => `cairn dev stderr:\n${dev.stderr()}` };

    await dev.waitForLine((line) => line.includes(`running at ${url}`), { describe: 'cairn dev to say it runs' });
    const [agentView] = await waitFor(
      async () => {
        const agents: Json[] = (await api.http.get('/v1/agents')).body.agents;
        return agents.length === 1 && agents[0].connected ? agents : undefined;
      },
      { describe: "cairn dev's local agent to be connected", onTimeout: api.describeLogs },
    );
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
});
