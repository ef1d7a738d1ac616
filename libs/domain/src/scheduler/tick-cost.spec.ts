import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, appCreated, aTask, createApp, reportStatus } from '../testing/cluster-builders';
import { eventCounts, T0 } from '../testing/decider-spec';
import type { EventDraft } from '../command';
import { deploymentDemand, groupTasksByApp } from '../deployments/deployment.decider';
import { forkState } from '../dry-run/fork-state';
import type { ClusterState } from '../state';

/**
 * A tick's work grows with what changed, not with the tasks that run undisturbed (issue 12: at
 * 200,000 tasks a tick that walked every task cost more than the stall budget). Counted, not
 * timed: the task table counts every record it hands out (gets, walks, index reads), and the same
 * changes are made to a small and a large cluster — same agents, same apps, 20 or 1,000 running
 * tasks per app. The large cluster's tick must read exactly as many task records as the small one's.
 */
const AGENTS = ['agent-1', 'agent-2', 'agent-3', 'agent-4'];
const STEADY_APPS = ['/steady/a', '/steady/b', '/steady/c', '/steady/d', '/steady/e'];
const BIG_AGENT = 'cpus:1000;mem:1000000;disk:100000;ports:[10000-60000]';
const SMALL_TASK = { cpus: 0.01, mem: 1, disk: 0, portDefinitions: [{ port: 0 }] };

/** A cluster whose steady apps run `tasksPerApp` tasks each, all RUNNING, spread over the agents. */
function steadyCluster(tasksPerApp: number): { cluster: ClusterScenario; now: number } {
  const cluster = new ClusterScenario();
  cluster.given(AGENTS.map((id) => anAgent(id).withResources(BIG_AGENT).registered()));
  cluster.given(STEADY_APPS.map((id) => appCreated(id, { ...SMALL_TASK, instances: tasksPerApp })));
  let port = 10_000;
  STEADY_APPS.forEach((appId, a) => {
    for (let i = 0; i < tasksPerApp; i++) {
      const agent = AGENTS[(a + i) % AGENTS.length];
      const task = aTask(appId, `${appId.slice(1).replace('/', '_')}.${i}`)
        .onAgent(agent)
        .withResources(`cpus:0.01;mem:1;ports:[${port}-${port}]`);
      port = port >= 60_000 ? 10_000 : port + 1;
      cluster.given(task.running());
    }
  });
  expect(cluster.state.tasks.size).toBe(STEADY_APPS.length * tasksPerApp);
  // The app scheduler sees nothing to do: every steady app runs its instances.
  expect(cluster.tick(T0 + 1_000)).toEqual([]);
  return { cluster, now: T0 + 1_000 };
}

/**
 * The same changes in any cluster: a new app (a deployment) whose 3 tasks launch and stay staging,
 * and one steady task that fails. Returns the reads of the tick after them, and what it decided.
 */
function tickAfterChanges(tasksPerApp: number): { reads: number; decided: EventDraft[]; tasks: number } {
  const { cluster, now } = steadyCluster(tasksPerApp);
  cluster.run(createApp('/changing', { ...SMALL_TASK, instances: 3 }, now + 1_000));
  cluster.tick(now + 2_000);
  const failed = [...cluster.state.tasks.ofApp('/steady/a')][0];
  cluster.run(reportStatus(failed.taskId, failed.agentId, 'TASK_FAILED', { now: now + 3_000 }));
  const before = cluster.state.tasks.reads;
  const decided = cluster.tick(now + 4_000);
  return { reads: cluster.state.tasks.reads - before, decided, tasks: cluster.state.tasks.size };
}

describe("a tick's cost (counted task reads)", () => {
  it('does not grow with the number of running tasks that did not change', () => {
    const small = tickAfterChanges(20);
    const large = tickAfterChanges(1_000);
    expect(large.tasks).toBeGreaterThan(40 * small.tasks);
    // Both ticks decided the same things (the deployment's, the replacement's, the timers')...
    expect(eventCounts(large.decided)).toEqual(eventCounts(small.decided));
    // ...reading the same few tasks: the 3 staging ones (launch timeouts, the deployment's buckets).
    expect(large.reads).toBe(small.reads);
    expect(small.reads).toBeGreaterThan(0);
    expect(small.reads).toBeLessThanOrEqual(10);
  });
});

describe("a tick's cost (deployments in flight)", () => {
  /** A deployment whose app cannot launch yet (no agent): it stays in flight, its app without a task. */
  function waitingDeployment(): ClusterScenario {
    const cluster = new ClusterScenario();
    cluster.run(createApp('/waiting', { ...SMALL_TASK, instances: 2 }, T0));
    expect(cluster.state.deployments.size).toBe(1);
    return cluster;
  }
  /** What the deployment wants for the app now: the same object when it was not reconciled again. */
  const bucketsNow = (state: ClusterState) => deploymentDemand(state, groupTasksByApp(state)).get('/waiting')!;

  it('reconciles an app that has no task yet once, not on every tick (a burst has 10,000 of them)', () => {
    const cluster = waitingDeployment();
    const first = bucketsNow(cluster.state);
    expect(first).toMatchObject({ launch: 2, done: false });
    for (let i = 1; i <= 5; i++) cluster.tick(T0 + i * 1_000);
    expect(bucketsNow(cluster.state)).toBe(first);
  });

  it('reconciles again in another task table (a fork), and once the app has tasks', () => {
    const cluster = waitingDeployment();
    const first = bucketsNow(cluster.state);
    const inFork = bucketsNow(forkState(cluster.state));
    expect(inFork).not.toBe(first);
    expect(inFork).toEqual(first);
    // An agent arrives: the tick launches both tasks...
    cluster.given([anAgent('agent-1').withResources(BIG_AGENT).registered()]);
    expect(cluster.tick(T0 + 1_000).filter((e) => e.type === 'TaskLaunched')).toHaveLength(2);
    // ...and what the deployment wants next counts them (the task-less memo is not read again).
    expect(bucketsNow(cluster.state)).toMatchObject({ launch: 0, done: false });
    expect(cluster.tick(T0 + 2_000).filter((e) => e.type === 'TaskLaunched')).toEqual([]);
  });
});
