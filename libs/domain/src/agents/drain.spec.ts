import { draft } from '../command';
import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, createApp } from '../testing/cluster-builders';
import { eventCounts, eventsOf, given, iso, meta, stateAfter, stateJson, T0 } from '../testing/decider-spec';
import type { DrainAgent, ReactivateAgent } from './agent.commands';
import { isHealthy } from '../deployments/task-health';

const SECOND_MS = 1_000;
const a1 = anAgent('a1').withResources('cpus:10;mem:10000;ports:[31000-31099]');
const a2 = anAgent('a2').withResources('cpus:10;mem:10000;ports:[32000-32099]');
const level3 = draft('ClusterVersionRaised', { version: 3, previous: 1, leader: 'm:8080' });

const drain = (agentId: string, now: number, options: Partial<DrainAgent> = {}): DrainAgent => ({
  kind: 'DrainAgent',
  agentId,
  deadlineSeconds: null,
  force: false,
  meta: meta(now),
  ...options,
});
const reactivate = (agentId: string, now: number): ReactivateAgent => ({
  kind: 'ReactivateAgent',
  agentId,
  meta: meta(now),
});

/** A level-3 cluster running `/web` (instances, strategy) on a1 only, then a2 registered. */
function webOnA1(fields: Record<string, unknown> = {}) {
  const s = new ClusterScenario().given([level3]);
  const now = { t: T0 };
  s.run(a1.register({ now: now.t }));
  s.run(createApp('/web', { instances: 3, cpus: 0.1, mem: 16, ...fields }, now.t));
  for (let i = 0; i < 10 && s.state.deployments.size > 0; i++) {
    s.tick((now.t += SECOND_MS));
    s.reportAll((now.t += SECOND_MS));
  }
  expect(s.state.deployments.size).toBe(0);
  s.run(a2.register({ now: (now.t += SECOND_MS) }));
  return { s, now };
}

/** Runs ticks with agents doing what they are asked, until no deployment is left (bounded). */
function settle(s: ClusterScenario, now: { t: number }, rounds = 30): void {
  for (
    let i = 0;
    i < rounds && (s.state.deployments.size > 0 || s.state.agents.get('a1')?.drain?.state === 'DRAINING');
    i++
  ) {
    s.tick((now.t += SECOND_MS));
    s.reportAll((now.t += SECOND_MS));
    s.reportKills((now.t += SECOND_MS));
  }
}

describe('agent drain (decide)', () => {
  it('refuses an unknown agent (404) and a cluster below version 3 (the format gate)', () => {
    given([level3]).when(drain('nope', T0)).thenThrows('not-found', "Agent 'nope' does not exist");
    given([level3, a1.registered()])
      .when(drain('a1', T0, { deadlineSeconds: 1e20 }))
      .thenThrows('invalid', /deadlineSeconds must be a number of seconds from 0 to 1000000000/);
    given([level3, a1.registered()])
      .when(drain('a1', T0, { deadlineSeconds: -1 }))
      .thenThrows('invalid');
    given([a1.registered()])
      .when(drain('a1', T0))
      .thenThrows('conflict', /AgentDrainStarted v1 needs cluster version 3 and the cluster is at 1/);
  });

  it('an agent with no task is drained at once; draining it again changes nothing; reactivation ends it', () => {
    given([level3, a1.registered()])
      .when(drain('a1', T0, { deadlineSeconds: 30 }))
      .then([
        draft('AgentDrainStarted', { agentId: 'a1', deadline: iso(T0 + 30_000), deploymentIds: [] }),
        draft('AgentDrained', { agentId: 'a1' }),
      ]);
    const drained = [
      level3,
      a1.registered(),
      draft('AgentDrainStarted', { agentId: 'a1', deadline: null, deploymentIds: [] }),
      draft('AgentDrained', { agentId: 'a1' }),
    ];
    given(drained)
      .when(drain('a1', T0, { deadlineSeconds: 5 }))
      .thenNothingHappened();
    given(drained)
      .when(reactivate('a1', T0))
      .then([draft('AgentReactivated', { agentId: 'a1' })]);
    given([level3, a1.registered()]).when(reactivate('a1', T0)).thenNothingHappened();
    given([level3]).when(reactivate('a1', T0)).thenThrows('not-found');
  });

  it('starts one deployment restarting the apps with tasks there, and takes the agent out of placement', () => {
    const { s, now } = webOnA1();
    const decided = s.run(drain('a1', (now.t += SECOND_MS), { deadlineSeconds: 600 }));
    expect(eventCounts(decided)).toEqual({ AgentDrainStarted: 1, DeploymentStarted: 1 });
    const [started] = eventsOf(decided, 'DeploymentStarted');
    expect(started.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/web' }] }]);
    expect(started.original['/web']).toEqual(started.target['/web']);
    expect(eventsOf(decided, 'AgentDrainStarted')).toEqual([
      { agentId: 'a1', deadline: iso(now.t + 600_000), deploymentIds: [started.deploymentId] },
    ]);
    expect(s.state.agents.get('a1')!.drain).toMatchObject({ state: 'DRAINING', deadline: iso(now.t + 600_000) });
    settle(s, now);
    const tasks = s.tasksOf('/web');
    expect(tasks.map((t) => t.agentId)).toEqual(['a2', 'a2', 'a2']);
    expect(tasks.every(isHealthy)).toBe(true);
    expect(s.state.agents.get('a1')!.drain!.state).toBe('DRAINED');
    // Nothing was ever offered from a1 after the drain started.
    const drainAt = s.log.findIndex((e) => e.type === 'AgentDrainStarted');
    const offeredA1 = s.log
      .slice(drainAt)
      .flatMap((e) => (e.type === 'OffersMade' ? e.data.offers.map((o) => o.agentId) : []));
    expect(offeredA1).not.toContain('a1');
    // Replay (evolve only) gives the live state.
    expect(stateJson(stateAfter(s.log))).toBe(stateJson(s.state));
  });

  it('draining again while the drain moves tasks: 409 (its own deployment locks the apps) unless force, which restarts it with the new deadline', () => {
    const { s, now } = webOnA1();
    const first = s.run(drain('a1', (now.t += SECOND_MS)));
    const [firstDeployment] = eventsOf(first, 'DeploymentStarted').map((d) => d.deploymentId);
    given(s.log)
      .when(drain('a1', (now.t += SECOND_MS), { deadlineSeconds: 60 }))
      .thenThrows('conflict', /App is locked/);
    given(s.log)
      .when(drain('a1', now.t, { deadlineSeconds: 60, force: true }))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({ DeploymentCancelled: 1, AgentDrainStarted: 1, DeploymentStarted: 1 });
        expect(eventsOf(events, 'DeploymentCancelled')[0].deploymentId).toBe(firstDeployment);
        expect(state.agents.get('a1')!.drain).toMatchObject({ state: 'DRAINING', deadline: iso(now.t + 60_000) });
      });
  });

  it('a drained agent runs nothing: a task that comes back there after its replacement started is killed', () => {
    const s = new ClusterScenario().given([level3]);
    const now = { t: T0 };
    s.run(a1.register({ now: now.t }));
    const strategy = { inactiveAfterSeconds: 0, expungeAfterSeconds: 3600 };
    s.run(createApp('/web', { instances: 1, cpus: 0.1, mem: 16, unreachableStrategy: strategy }, now.t));
    s.tick((now.t += SECOND_MS));
    s.reportAll((now.t += SECOND_MS));
    const [old] = s.tasksOf('/web');
    s.run(a2.register({ now: now.t }));
    s.run({ kind: 'DisconnectAgent', agentId: 'a1', meta: meta(now.t) });
    // Unreachable, inactive at once: replaced on a2.
    s.tick((now.t += 120_000));
    s.tick((now.t += SECOND_MS));
    s.reportAll((now.t += SECOND_MS));
    expect(s.state.tasks.get(old.taskId)!.unreachable!.inactive).toBe(true);
    // The drain does not wait for the inactive task: drained at once.
    expect(eventCounts(s.run(drain('a1', (now.t += SECOND_MS))))).toEqual({ AgentDrainStarted: 1, AgentDrained: 1 });
    // a1 comes back with it: adopted, then killed (as surplus, or as a task on a drained agent).
    s.run(a1.reregister([{ taskId: old.taskId, state: 'TASK_RUNNING' }], { now: (now.t += SECOND_MS) }));
    s.tick((now.t += SECOND_MS));
    expect(s.tasksOf('/web').filter((t) => t.agentId === 'a1' && !t.killRequested)).toEqual([]);
    s.reportKills((now.t += SECOND_MS));
    s.tick((now.t += SECOND_MS));
    s.reportAll((now.t += SECOND_MS));
    expect(s.tasksOf('/web').map((t) => [t.agentId, t.state])).toEqual([['a2', 'TASK_RUNNING']]);
    expect(stateJson(stateAfter(s.log))).toBe(stateJson(s.state));
  });

  it('a locked app: 409 naming the deployment, unless force cancels it', () => {
    const { s, now } = webOnA1();
    // /web is locked by a restart in progress.
    s.run({ kind: 'RestartApp', appId: '/web', force: false, meta: meta((now.t += SECOND_MS)) });
    const locked = [...s.state.deploymentOfApp.entries()].find(([app]) => app === '/web')![1];
    given(s.log)
      .when(drain('a1', (now.t += SECOND_MS)))
      .thenThrows('conflict', /App is locked/);
    given(s.log)
      .when(drain('a1', now.t, { force: true }))
      .thenState((state, events) => {
        expect(eventsOf(events, 'DeploymentCancelled').map((c) => c.deploymentId)).toEqual([locked]);
        expect(state.agents.get('a1')!.drain!.state).toBe('DRAINING');
      });
  });

  it('at the deadline, what still runs on the agent is killed; then AgentDrained; re-registration keeps the drain', () => {
    // minimumHealthCapacity 1, maximumOverCapacity 0: one extra at a time, and the replacements
    // never get healthy here (the agents never report them): only the deadline moves.
    const { s, now } = webOnA1({ upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } });
    const drainAt = (now.t += SECOND_MS);
    s.run(drain('a1', drainAt, { deadlineSeconds: 60 }));
    s.run(
      a1.reregister(
        s
          .tasksOf('/web')
          .filter((t) => t.agentId === 'a1')
          .map((t) => ({ taskId: t.taskId, state: t.state })),
        { now: drainAt },
      ),
    );
    expect(s.state.agents.get('a1')!.drain!.state).toBe('DRAINING');
    const before = s.tick(drainAt + 30_000);
    expect(eventsOf(before, 'TaskKillRequested')).toEqual([]);
    const at = s.tick(drainAt + 60_000);
    const kills = eventsOf(at, 'TaskKillRequested');
    expect(kills.map((k) => k.agentId)).toEqual(['a1', 'a1', 'a1']);
    expect(kills[0].reason).toBe(`agent drain deadline ${iso(drainAt + 60_000)} passed`);
    // Killed once: a later tick does not ask again.
    expect(eventsOf(s.tick(drainAt + 61_000), 'TaskKillRequested')).toEqual([]);
    s.reportKills(drainAt + 62_000);
    const end = s.tick(drainAt + 63_000);
    expect(eventCounts(end)).toMatchObject({ AgentDrained: 1 });
    expect(stateJson(stateAfter(s.log))).toBe(stateJson(s.state));
  });

  it('reactivated while its tasks move: the deployment finishes with `instances` tasks, wherever they are', () => {
    const { s, now } = webOnA1({ upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } });
    s.run(drain('a1', (now.t += SECOND_MS)));
    // One replacement starts on a2 (capacity 4), then the operator changes their mind.
    s.tick((now.t += SECOND_MS));
    expect(s.tasksOf('/web').map((t) => t.agentId)).toEqual(['a1', 'a1', 'a1', 'a2']);
    s.run(reactivate('a1', (now.t += SECOND_MS)));
    settle(s, now);
    expect(s.state.deployments.size).toBe(0);
    const tasks = s.tasksOf('/web');
    expect(tasks).toHaveLength(3);
    expect(tasks.every(isHealthy)).toBe(true);
    expect(s.state.agents.get('a1')!.drain).toBeUndefined();
  });

  it('GROUP_BY without a count spreads over the racks of agents that can take tasks: a drain empties a rack without a deadlock', () => {
    const s = new ClusterScenario().given([level3]);
    const now = { t: T0 };
    const racks = [a1.withAttributes({ rack: 'r1' }), a2.withAttributes({ rack: 'r2' })];
    for (const agent of racks) s.run(agent.register({ now: now.t }));
    s.run(createApp('/web', { instances: 4, cpus: 0.1, mem: 16, constraints: [['rack', 'GROUP_BY']] }, now.t));
    for (let i = 0; i < 5; i++) {
      s.tick((now.t += SECOND_MS));
      s.reportAll((now.t += SECOND_MS));
    }
    expect(
      s
        .tasksOf('/web')
        .map((t) => t.agentId)
        .sort(),
    ).toEqual(['a1', 'a1', 'a2', 'a2']);
    s.run(drain('a1', (now.t += SECOND_MS)));
    settle(s, now);
    expect(s.tasksOf('/web').map((t) => t.agentId)).toEqual(['a2', 'a2', 'a2', 'a2']);
    expect(s.state.agents.get('a1')!.drain!.state).toBe('DRAINED');
  });

  it('reactivated, the agent takes tasks again', () => {
    const s = new ClusterScenario().given([level3]);
    s.run(a1.register({ now: T0 }));
    s.run(drain('a1', T0));
    s.run(createApp('/web', { instances: 1, cpus: 0.1, mem: 16 }, T0));
    expect(eventCounts(s.tick(T0 + SECOND_MS))).toEqual({});
    s.run(reactivate('a1', T0 + 2 * SECOND_MS));
    expect(s.state.agents.get('a1')!.drain).toBeUndefined();
    expect(eventCounts(s.tick(T0 + 3 * SECOND_MS))).toMatchObject({ TaskLaunched: 1 });
  });
});
