import type { CairnEvent } from '@cairn/events';
import { ClusterScenario } from './testing/cluster-scenario';
import { anAgent, createApp, reportStatus, updateApp } from './testing/cluster-builders';
import { T0 } from './testing/decider-spec';

/**
 * Causes are decided with the events (the log can never be amended): every event names an
 * earlier event, the command a user's deployment records, or nothing where a chain starts.
 */
const SECOND_MS = 1_000;
const ROOTS = new Set([
  'LeaderElected',
  'AgentRegistered',
  'AgentReregistered',
  'AgentDisconnected',
  'AgentUnreachable',
  'DeploymentStarted',
]);

function story(): ClusterScenario {
  const s = new ClusterScenario();
  const check = {
    protocol: 'HTTP',
    portIndex: 0,
    gracePeriodSeconds: 0,
    intervalSeconds: 1,
    maxConsecutiveFailures: 2,
  };
  s.run(anAgent('a1').register());
  s.run(createApp('/web', { instances: 2, cpus: 0.1, mem: 16, healthChecks: [check] }));
  s.tick(T0 + SECOND_MS);
  s.reportAll(T0 + 2 * SECOND_MS);
  const [first] = s.tasksOf('/web');
  const health = (alive: boolean, failures: number, id: string) => ({
    ...reportStatus(first.taskId, 'a1', 'TASK_RUNNING', { updateId: id, now: T0 + 3 * SECOND_MS }),
    health: {
      checkIndex: 0,
      alive,
      consecutiveFailures: failures,
      firstSuccess: null,
      lastSuccess: null,
      lastFailure: null,
      lastFailureCause: alive ? null : 'HTTP 500',
    },
  });
  s.run(health(true, 0, 'h1'));
  s.run(health(false, 2, 'h2')); // killed for failed health
  s.run(updateApp('/web', { cmd: 'sleep 2000' }, T0 + 4 * SECOND_MS));
  for (let i = 5; i < 12; i++) {
    s.tick(T0 + i * SECOND_MS);
    s.reportKills(T0 + i * SECOND_MS);
    s.reportAll(T0 + i * SECOND_MS);
  }
  return s;
}

const byId = (log: readonly CairnEvent[]) => new Map(log.map((e) => [e.id, e]));

describe('causes', () => {
  it('every event names an earlier event, a deployment’s recorded command, or nothing where a chain starts', () => {
    const s = story();
    const seen = new Set<string>();
    const commands = new Set(s.log.flatMap((e) => (e.type === 'DeploymentStarted' ? [e.data.deploymentId] : [])));
    const orphans = s.log.filter((e) => {
      const ok = e.causationId === null ? ROOTS.has(e.type) : seen.has(e.causationId) || commands.has(e.causationId);
      seen.add(e.id);
      return !ok;
    });
    expect(orphans.map((e) => `${e.type} <- ${e.causationId}`)).toEqual([]);
  });

  it('a launch names its deployment; its agent’s reports name the launch; a health kill names the verdict', () => {
    const s = story();
    const events = byId(s.log);
    const causeOf = (e: CairnEvent) => (e.causationId ? events.get(e.causationId)?.type : null);
    const firstLaunch = s.log.find((e) => e.type === 'TaskLaunched')!;
    expect(causeOf(firstLaunch)).toBe('DeploymentStarted');
    const running = s.log.find((e) => e.type === 'TaskStatusUpdated')!;
    const taskId = (running.data as { taskId: string }).taskId;
    const launch = s.log.find((e) => e.type === 'TaskLaunched' && e.data.taskId === taskId)!;
    expect(running.causationId).toBe(launch.id);
    expect(running.correlationId).toBe(launch.correlationId);
    const healthKill = s.log.find((e) => e.type === 'TaskKillRequested' && e.data.reason.startsWith('health'))!;
    expect(causeOf(healthKill)).toBe('TaskHealthChanged');
    const backoff = s.log.find((e) => e.type === 'LaunchDelayed')!;
    expect(causeOf(backoff)).toBe('TaskHealthChanged');
    // The rolling restart's kills and launches belong to the update's deployment, and its chain.
    const restart = s.log.filter((e) => e.type === 'DeploymentStarted').at(-1)!;
    const restartKills = s.log.filter((e) => e.type === 'TaskKillRequested' && e.data.reason.startsWith('deployment'));
    expect(restartKills.length).toBeGreaterThan(0);
    for (const kill of restartKills) {
      expect(kill.causationId).toBe(restart.id);
      expect(kill.correlationId).toBe(restart.correlationId);
    }
  });

  it('a replacement outside a deployment names the end of the task it replaces', () => {
    const s = new ClusterScenario();
    s.run(anAgent('a1').register());
    s.run(createApp('/web', { instances: 1, cpus: 0.1, mem: 16 }));
    s.tick(T0 + SECOND_MS);
    s.reportAll(T0 + 2 * SECOND_MS);
    s.tick(T0 + 3 * SECOND_MS); // the deployment finishes
    expect(s.state.deployments.size).toBe(0);
    s.reportAll(T0 + 4 * SECOND_MS, 'TASK_FAILED', ['TASK_RUNNING']);
    const ended = s.log.filter((e) => e.type === 'TaskStatusUpdated').at(-1)!;
    s.tick(T0 + 60 * SECOND_MS);
    const replacement = s.log.filter((e) => e.type === 'TaskLaunched').at(-1)!;
    expect(replacement.causationId).toBe(ended.id);
  });
});
