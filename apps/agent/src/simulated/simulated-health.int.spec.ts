import { createServer, type AddressInfo } from 'node:net';
import { waitFor } from '../executor/executor-test-support';
import type { AgentCommandWire, HealthCheckSpec, StatusUpdate } from '../protocol/agent-protocol';
import pino from 'pino';
import { FakeMaster } from '../testing/fake-master';
import { startSimulatedAgents, type SimulatedAgents } from './simulated-agents';
import { taskFate } from './task-fate';

// Simulated agents' health and readiness reports over the real protocol path (TaskManager,
// StatusUpdateQueue, HTTP to a master), against the agent tests' fake master on the real clock.
jest.setTimeout(30_000);

const TOKEN = 'simulated-health-token';
const SEED = 'simulated-health';
const HEALTHY_AFTER_MS = 150;
const UNHEALTHY_RATE = 0.4;

let master: FakeMaster;
let agents: SimulatedAgents | undefined;

beforeEach(async () => {
  master = await FakeMaster.start({ token: TOKEN, pingIntervalMs: 200 });
});
afterEach(async () => {
  await agents?.close();
  agents = undefined;
  await master.close();
});

const check = (overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
  protocol: 'MESOS_HTTP',
  path: '/health',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 300,
  intervalSeconds: 0.2,
  timeoutSeconds: 1,
  maxConsecutiveFailures: 2,
  delaySeconds: 15,
  ignoreHttp1xx: false,
  ...overrides,
});

function launch(taskId: string, withChecks: boolean): AgentCommandWire {
  return {
    type: 'launch',
    task: {
      taskId,
      appId: '/sim/web',
      appVersion: 'v1',
      command: { shell: true, value: 'sleep 1000' },
      ports: [31000 + Number(taskId.split('.')[1])],
      ...(withChecks
        ? {
            healthChecks: [check()],
            readinessChecks: [
              {
                name: 'ready',
                protocol: 'HTTP',
                path: '/ready',
                portIndex: 0,
                intervalSeconds: 1,
                timeoutSeconds: 1,
                httpStatusCodesForReady: [200],
              },
            ],
          }
        : {}),
    },
  };
}

/** A URL where nothing listens: the agents must go on to the next master. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const summary = (updates: StatusUpdate[]) =>
  updates.map((update) =>
    update.health
      ? `health ${update.health.alive}:${update.health.consecutiveFailures}`
      : update.readiness
        ? `ready ${update.readiness.name}`
        : update.state,
  );

describe('simulated agents with health checks', () => {
  it('report healthy (and ready) healthyAfterMs after RUNNING, or unhealthy up to maxConsecutiveFailures, as the seed chooses', async () => {
    agents = await startSimulatedAgents({
      masterUrl: [await deadUrl(), master.url],
      count: 1,
      token: TOKEN,
      resources: 'cpus:64;mem:65536;ports:[31000-31100]',
      hostnamePrefix: 'sim',
      runUpMs: 5,
      seed: SEED,
      healthyAfterMs: HEALTHY_AFTER_MS,
      unhealthyRate: UNHEALTHY_RATE,
      readyTimeoutMs: 10_000,
      logger: pino({ level: 'silent' }),
    });
    const withChecks = Array.from({ length: 20 }, (_, i) => `sim_web.${i}`);
    const plain = Array.from({ length: 5 }, (_, i) => `sim_web.${20 + i}`);
    for (const id of withChecks) master.send(launch(id, true));
    for (const id of plain) master.send(launch(id, false));

    const fate = (id: string) =>
      taskFate(id, { seed: SEED, runUpMs: 5, failureRate: 0, unhealthyRate: UNHEALTHY_RATE });
    const want = (id: string) =>
      fate(id).healthy
        ? ['TASK_RUNNING', 'health true:0', 'ready ready']
        : ['TASK_RUNNING', 'health false:1', 'health false:2'];
    const of = (id: string) => master.applied.filter((update) => update.taskId === id);
    await waitFor(
      'every task with checks to report all it will',
      () => (withChecks.every((id) => of(id).length === want(id).length) ? true : undefined),
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // more than two intervals: nothing else comes

    for (const id of withChecks) expect([id, summary(of(id))]).toEqual([id, want(id)]);
    for (const id of plain) expect([id, summary(of(id))]).toEqual([id, ['TASK_RUNNING']]);
    const unhealthy = withChecks.filter((id) => !fate(id).healthy);
    expect(unhealthy.length).toBeGreaterThan(0);
    expect(unhealthy.length).toBeLessThan(withChecks.length);
    expect(agents.stats()).toMatchObject({
      tasksHealthy: withChecks.length - unhealthy.length,
      tasksUnhealthy: unhealthy.length,
    });

    for (const id of withChecks) {
      const [running, first] = of(id);
      const afterMs = Date.parse(first.at) - Date.parse(running.at);
      expect(afterMs).toBeGreaterThanOrEqual(HEALTHY_AFTER_MS - 1);
      expect(afterMs).toBeLessThan(HEALTHY_AFTER_MS + 2_000);
      expect(first).toMatchObject({ state: 'TASK_RUNNING', health: { checkIndex: 0 } });
    }
    const sick = of(unhealthy[0]);
    expect(sick[2].health).toMatchObject({
      alive: false,
      consecutiveFailures: 2,
      firstSuccess: null,
      lastSuccess: null,
      lastFailureCause: 'simulated failure',
    });
  });

  it('refuses a bad unhealthyRate or healthyAfterMs', async () => {
    const base = {
      masterUrl: master.url,
      count: 1,
      token: TOKEN,
      resources: 'cpus:1;mem:1;ports:[31000-31001]',
      hostnamePrefix: 'sim',
      runUpMs: 0,
      seed: 1,
    };
    await expect(startSimulatedAgents({ ...base, unhealthyRate: 1.5 })).rejects.toThrow(
      /unhealthyRate must be in \[0, 1\]/,
    );
    await expect(startSimulatedAgents({ ...base, healthyAfterMs: -1 })).rejects.toThrow(/healthyAfterMs must be >= 0/);
    expect(master.registrations).toEqual([]);
  });
});
