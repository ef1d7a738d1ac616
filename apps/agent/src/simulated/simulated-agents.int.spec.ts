import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMaster, type RunningMaster } from '../../../master/src/main';
import { SimulatedAgentsError } from './simulated-options';
import { startSimulatedAgents, type SimulatedAgents } from './simulated-agents';
import { taskFate } from './task-fate';

// Simulated agents against a real master (in this process, on the file log): the master must
// take them for agents, launch on them, record their updates, and replace what ends.
const TOKEN = 'simulated-agents-int-token';
const WAIT_TIMEOUT_MS = 15_000;
jest.setTimeout(60_000);

interface RecordedEvent {
  offset: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

describe('simulated agents against a real master', () => {
  let dataDir: string;
  let master: RunningMaster;
  let agents: SimulatedAgents | undefined;
  const savedLevel = process.env.CAIRN_LOG_LEVEL;

  let port: number;
  const startOurMaster = () =>
    startMaster({
      port,
      host: '127.0.0.1',
      log: 'file',
      dataDir,
      agentToken: TOKEN,
      tickMs: 20,
      seed: 'simulated-int',
    });

  beforeEach(async () => {
    process.env.CAIRN_LOG_LEVEL = 'error';
    dataDir = mkdtempSync(join(tmpdir(), 'cairn-simulated-int-'));
    port = await freePort();
    master = await startOurMaster();
  });

  afterEach(async () => {
    await agents?.close();
    agents = undefined;
    await master.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (savedLevel === undefined) delete process.env.CAIRN_LOG_LEVEL;
    else process.env.CAIRN_LOG_LEVEL = savedLevel;
  });

  const start = (overrides: { runTimeMs?: number; failureRate?: number; count?: number; token?: string } = {}) =>
    startSimulatedAgents({
      masterUrl: master.url,
      count: overrides.count ?? 3,
      token: overrides.token ?? TOKEN,
      resources: 'cpus:4;mem:4096;ports:[31000-31100]',
      hostnamePrefix: 'sim',
      runUpMs: 5,
      runTimeMs: overrides.runTimeMs,
      failureRate: overrides.failureRate,
      seed: 'int-seed',
      readyTimeoutMs: 5_000,
    });

  it('registers every agent with its hostname and resources, each holding a command stream', async () => {
    agents = await start();
    expect(agents.agentIds()).toHaveLength(3);
    const { agents: listed } = await get<{ agents: Record<string, unknown>[] }>('/v1/agents');
    expect(listed.map((a) => [a.hostname, a.connected, a.resources])).toEqual(
      ['sim-1', 'sim-2', 'sim-3'].map((hostname) => [
        hostname,
        true,
        { cpus: 4, mem: 4096, disk: 0, ports: [[31000, 31100]] },
      ]),
    );
    expect(new Set(listed.map((a) => a.agentId))).toEqual(new Set(agents.agentIds()));
    expect(agents.stats()).toMatchObject({ agents: 3, connected: 3, registrations: 3 });
  });

  it('runs an app: the master records every task RUNNING on a simulated agent, and scale-down kills them', async () => {
    agents = await start();
    await post('/v2/apps', { id: '/sim/web', cmd: 'sleep 1000', cpus: 0.5, mem: 64, instances: 12 });
    await waitUntil(async () => (await app('/sim/web')).tasksRunning === 12, 'all 12 tasks RUNNING');
    expect(agents.stats()).toMatchObject({ launched: 12, running: 12, updatesAcked: 12, updatesPending: 0 });
    const { tasks } = await get<{ tasks: { host: string; state: string; slaveId: string }[] }>(
      '/v2/apps/sim/web/tasks',
    );
    expect(tasks.every((t) => /^sim-[123]$/.test(t.host) && agents!.agentIds().includes(t.slaveId))).toBe(true);

    // The create's deployment finishes on the tick after the last RUNNING: until then a scale is
    // refused (409, the app is locked), so wait for it rather than race it.
    await waitUntil(async () => (await app('/sim/web')).deployments.length === 0, 'the deployment finished');
    await put('/v2/apps/sim/web', { instances: 0 });
    await waitUntil(async () => agents!.stats().killed === 12 && agents!.stats().updatesPending === 0, '12 kills');
    expect((await app('/sim/web')).tasksRunning).toBe(0);
    const killed = (await events()).filter((e) => e.type === 'TaskStatusUpdated' && e.data.state === 'TASK_KILLED');
    expect(killed).toHaveLength(12);
  });

  it('ends tasks after their run time as their fate says; the master replaces them', async () => {
    const fate = { seed: 'int-seed', runUpMs: 5, runTimeMs: 30, failureRate: 0.5 };
    agents = await start({ runTimeMs: fate.runTimeMs, failureRate: fate.failureRate });
    await post('/v2/apps', { id: '/sim/batch', cmd: 'true', cpus: 0.1, mem: 16, instances: 4, backoffSeconds: 0 });
    const ended = (e: RecordedEvent) =>
      e.type === 'TaskStatusUpdated' && ['TASK_FINISHED', 'TASK_FAILED'].includes(e.data.state as string);
    await waitUntil(async () => {
      const states = (await events()).filter(ended).map((e) => e.data.state);
      return states.length >= 12 && states.includes('TASK_FINISHED') && states.includes('TASK_FAILED');
    }, 'at least 12 ends in the log, some finished and some failed');
    const ends = (await events()).filter(ended);
    expect(ends.length).toBeGreaterThanOrEqual(12);
    for (const end of ends) {
      const want = taskFate(end.data.taskId as string, fate).exitCode === 0 ? 'TASK_FINISHED' : 'TASK_FAILED';
      expect([end.data.taskId, end.data.state]).toEqual([end.data.taskId, want]);
    }
    const launched = (await events()).filter((e) => e.type === 'TaskLaunched').length;
    expect(launched).toBeGreaterThan(4); // replacements
  });

  it('re-registers under the same ids with the running tasks after a master restart: nothing is launched again', async () => {
    agents = await start();
    await post('/v2/apps', { id: '/sim/web', cmd: 'sleep 1000', cpus: 0.5, mem: 64, instances: 6 });
    await waitUntil(async () => (await app('/sim/web')).tasksRunning === 6, 'all 6 tasks RUNNING');
    const ids = agents.agentIds();

    await master.close();
    master = await startOurMaster();
    await waitUntil(
      async () => agents!.stats().registrations === 6 && agents!.stats().connected === 3,
      're-registration',
    );
    expect(agents.agentIds()).toEqual(ids);
    expect((await app('/sim/web')).tasksRunning).toBe(6);
    await new Promise((resolve) => setTimeout(resolve, 200)); // several ticks: a relaunch would show
    expect(agents.stats()).toMatchObject({ launched: 6, running: 6, updatesPending: 0 });
    const types = (await events()).map((e) => e.type);
    expect(types.filter((t) => t === 'AgentReregistered')).toHaveLength(3);
    expect(types.filter((t) => t === 'TaskLaunched')).toHaveLength(6);
  });

  it('refuses to start when the master refuses the token', async () => {
    await expect(start({ token: 'wrong' })).rejects.toThrow(SimulatedAgentsError);
    await expect(start({ token: 'wrong' })).rejects.toThrow(/refused this agent's token/);
  });

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(master.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
  const get = <T>(path: string) => request<T>('GET', path);
  const post = (path: string, body: unknown) => request<unknown>('POST', path, body);
  const put = (path: string, body: unknown) => request<unknown>('PUT', path, body);
  const app = async (id: string) =>
    (await get<{ app: { tasksRunning: number; deployments: { id: string }[] } }>(`/v2/apps${id}`)).app;

  async function events(): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    let from = 0;
    for (;;) {
      const page = await get<{ events: RecordedEvent[]; next: number; end: number }>(`/v1/events?from=${from}`);
      all.push(...page.events);
      if (page.next >= page.end) return all;
      from = page.next;
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${WAIT_TIMEOUT_MS} ms waiting for ${what}`);
}
