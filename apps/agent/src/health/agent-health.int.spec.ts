import { createServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import { startAgent, type AgentDependencies, type RunningAgent } from '../agent';
import { GroupSweeper, groupMembers, runPrefix, tempWorkDir, waitFor } from '../executor/executor-test-support';
import type { AgentCommandWire, HealthCheckSpec, StatusUpdate } from '../protocol/agent-protocol';
import { FakeMaster } from '../testing/fake-master';

// A real agent, real processes and real probes against the agent tests' fake master: an HTTP
// check reaches the task over loopback on its port, a COMMAND check runs with its environment,
// only transitions reach the master, and an agent restart that adopts the task runs its checks again.
jest.setTimeout(60_000);

const TOKEN = 'agent-health-token';
const prefix = runPrefix();
const sweeper = new GroupSweeper(prefix);
const work = tempWorkDir();
const agents: RunningAgent[] = [];
let master: FakeMaster;

const DEPS: AgentDependencies = {
  logger: pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'silent' }),
  reconnectBackoff: { initialMs: 20, maxMs: 100, factor: 2 },
  statusBackoff: { initialMs: 20, maxMs: 100, factor: 2 },
};

beforeAll(async () => {
  master = await FakeMaster.start({ token: TOKEN, pingIntervalMs: 200 });
});
afterAll(async () => {
  for (const agent of agents) await agent.close().catch(() => undefined);
  await master.close();
  const left = await sweeper.sweep();
  work.remove();
  expect(left).toEqual({ leftGroups: [], leftMatching: [] });
});

async function anAgent(): Promise<RunningAgent> {
  const agent = await startAgent(
    {
      masters: [master.url],
      workDir: work.dir,
      resources: { cpus: 2, mem: 1024, disk: 100, ports: [[31000, 31010]] },
      hostname: 'agent-health.local',
      attributes: {},
      port: 0,
      ip: '127.0.0.1',
      token: TOKEN,
    },
    DEPS,
  );
  agents.push(agent);
  return agent;
}

async function aFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const check = (overrides: Partial<HealthCheckSpec>): HealthCheckSpec => ({
  protocol: 'HTTP',
  path: '/health',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 0,
  intervalSeconds: 0.2,
  timeoutSeconds: 2,
  maxConsecutiveFailures: 3,
  delaySeconds: 0,
  ignoreHttp1xx: false,
  ...overrides,
});

const summary = (updates: StatusUpdate[]) =>
  updates.map((update) =>
    update.health
      ? `health ${update.health.checkIndex}:${update.health.alive}:${update.health.consecutiveFailures}`
      : update.readiness
        ? `ready ${update.readiness.name} ${update.readiness.lastResponse?.body}`
        : update.state,
  );
const of = (taskId: string) => master.applied.filter((update) => update.taskId === taskId);

describe('an agent running health checks next to its tasks', () => {
  it('reports transitions over the status path, and runs the checks again after a restart that adopts the task', async () => {
    const port = await aFreePort();
    const taskId = `${prefix}.web`;
    // The task answers /health with 204 and /ready with 200 and its port, on PORT0 over loopback.
    const server =
      `require('http').createServer((q, r) => r.writeHead(q.url === '/ready' ? 200 : 204, {'content-type': 'text/plain'})` +
      `.end(q.url === '/ready' ? 'ready on ' + process.env.PORT0 : '')).listen(Number(process.env.PORT0), '127.0.0.1')`;
    const launch: AgentCommandWire = {
      type: 'launch',
      task: {
        taskId,
        appId: '/health/web',
        appVersion: 'v1',
        command: { shell: false, args: [process.execPath, '-e', server, prefix] },
        ports: [port],
        killGracePeriodSeconds: 1,
        healthChecks: [
          check({ protocol: 'HTTP', gracePeriodSeconds: 30 }),
          check({ protocol: 'COMMAND', command: 'test "$PORT0" = ' + port + ' && test -f task.json', portIndex: null }),
          check({ protocol: 'COMMAND', command: 'echo nope >&2; exit 1', portIndex: null, maxConsecutiveFailures: 2 }),
        ],
        readinessChecks: [
          {
            name: 'ready',
            protocol: 'HTTP',
            path: '/ready',
            portIndex: 0,
            intervalSeconds: 0.2,
            timeoutSeconds: 1,
            httpStatusCodesForReady: [200],
          },
        ],
      },
    };
    const first = await anAgent();
    await waitFor('a command stream', () => (master.openStreams() > 0 ? true : undefined));
    master.send(launch);
    const running = await waitFor('RUNNING', () => of(taskId).find((update) => update.state === 'TASK_RUNNING'));
    sweeper.track(running.pid!);
    await waitFor('every check to report', () => (of(taskId).length >= 6 ? true : undefined), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // five more intervals: nothing else comes
    const firstRun = summary(of(taskId));
    expect(firstRun[0]).toBe('TASK_RUNNING');
    expect([...firstRun.slice(1)].sort()).toEqual(
      [
        'health 0:true:0',
        'health 1:true:0',
        'health 2:false:1',
        'health 2:false:2',
        `ready ready ready on ${port}`,
      ].sort(),
    );
    // Check 2's own order: alive:false at its first failure, then maxConsecutiveFailures.
    expect(firstRun.filter((line) => line.startsWith('health 2'))).toEqual(['health 2:false:1', 'health 2:false:2']);
    expect(of(taskId).find((update) => update.health?.checkIndex === 2)?.health?.lastFailureCause).toBe(
      'exited with status 1: nope',
    );

    // Restart: the task keeps running, the new agent adopts it and its checks start over.
    await first.close();
    const before = master.applied.length;
    await anAgent();
    await waitFor('the checks again', () => (of(taskId).length >= 11 ? true : undefined), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const again = summary(master.applied.slice(before).filter((update) => update.taskId === taskId));
    expect([...again].sort()).toEqual(
      [
        'health 0:true:0',
        'health 1:true:0',
        'health 2:false:1',
        'health 2:false:2',
        `ready ready ready on ${port}`,
      ].sort(),
    );

    master.send({ type: 'kill', taskId, gracePeriodSeconds: 1 });
    await waitFor('KILLED', () => of(taskId).find((update) => update.state === 'TASK_KILLED'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(summary(of(taskId)).at(-1)).toBe('TASK_KILLED');
    await waitFor('the task group gone', () => (groupMembers(running.pid!).length === 0 ? true : undefined));
  });
});
