import { ClusterScenario } from '../testing/cluster-scenario';
import { AGENT_UNREACHABLE_MS, anAgent, createApp, disconnectAgent, updateApp } from '../testing/cluster-builders';
import { eventCounts, eventsOf, T0 } from '../testing/decider-spec';
import { activeTaskCount } from './launch-queue';

/**
 * Marathon's unreachableStrategy (notes §5.8): a task whose agent is lost stays (Unreachable) and
 * counts; after inactiveAfterSeconds it is replaced (UnreachableInactive); after
 * expungeAfterSeconds it is expunged; if its agent comes back first it is adopted, and the surplus
 * its replacement made is killed, older config versions first.
 */
const S = 1_000;
const a1 = anAgent('a1').withResources('cpus:8;mem:8192;ports:[31000-31099]');
const a2 = anAgent('a2').withResources('cpus:8;mem:8192;ports:[31000-31099]');
const STRATEGY = { unreachableStrategy: { inactiveAfterSeconds: 5, expungeAfterSeconds: 30 } };

/** /web with 2 tasks running on a1, a2 registered and empty, then a1 disconnects at T0 + 4 s. */
function lostAgent(fields: Record<string, unknown> = STRATEGY): { s: ClusterScenario; lost: string[]; lostAt: number } {
  const s = new ClusterScenario();
  s.run(a1.register());
  s.run(createApp('/web', { instances: 2, ...fields }));
  s.tick(T0 + S);
  s.reportAll(T0 + 2 * S);
  s.tick(T0 + 2 * S);
  s.run(a2.register({ now: T0 + 3 * S }));
  s.run(disconnectAgent('a1', T0 + 4 * S));
  const lost = s.tasksOf('/web').map((t) => t.taskId);
  const lostAt = T0 + 4 * S + AGENT_UNREACHABLE_MS;
  return { s, lost, lostAt };
}

describe('unreachableStrategy', () => {
  it('the default {0, 0} ends the tasks at once: they are replaced on the next tick', () => {
    const { s, lostAt } = lostAgent({});
    expect(eventCounts(s.tick(lostAt))).toEqual({ AgentUnreachable: 1, TaskStatusUpdated: 2 });
    expect(eventCounts(s.tick(lostAt + S))).toMatchObject({ TaskLaunched: 2 });
  });

  it('keeps the tasks unreachable and counting until inactiveAfterSeconds, then replaces them', () => {
    const { s, lost, lostAt } = lostAgent();
    const unreachable = s.tick(lostAt);
    expect(eventCounts(unreachable)).toEqual({ AgentUnreachable: 1, TaskUnreachable: 2 });
    expect(eventsOf(unreachable, 'TaskUnreachable')[0]).toMatchObject({
      inactiveAfterSeconds: 5,
      expungeAfterSeconds: 30,
    });
    expect(s.tasksOf('/web').map((t) => [t.taskId, t.state])).toEqual(lost.map((id) => [id, 'TASK_UNREACHABLE']));
    expect(activeTaskCount(s.state, '/web')).toBe(2);
    // Still counting: nothing is launched before the inactive timer.
    expect(s.tick(lostAt + 4 * S)).toEqual([]);

    const inactive = s.tick(lostAt + 5 * S);
    expect(eventCounts(inactive)).toEqual({ TaskUnreachableInactive: 2 });
    expect(activeTaskCount(s.state, '/web')).toBe(0);
    const replaced = s.tick(lostAt + 6 * S);
    expect(eventsOf(replaced, 'TaskLaunched').map((t) => t.agentId)).toEqual(['a2', 'a2']);
    // The lost tasks are still held (inactive) until their expunge.
    expect(s.tasksOf('/web')).toHaveLength(4);
  });

  it('expunges them after expungeAfterSeconds; if their agent returns after that, they are killed', () => {
    const { s, lost, lostAt } = lostAgent();
    s.tick(lostAt);
    s.tick(lostAt + 5 * S);
    s.tick(lostAt + 6 * S);
    s.reportAll(lostAt + 7 * S);
    const expunged = s.tick(lostAt + 30 * S);
    expect(eventsOf(expunged, 'TaskStatusUpdated').map((u) => [u.taskId, u.state])).toEqual(
      lost.map((id) => [id, 'TASK_UNREACHABLE']),
    );
    expect(eventsOf(expunged, 'TaskStatusUpdated')[0].message).toMatch(/^expunged/);
    expect(s.tasksOf('/web').every((t) => t.agentId === 'a2')).toBe(true);

    const back = s.run(
      a1.reregister(
        lost.map((taskId) => ({ taskId, state: 'TASK_RUNNING' as const })),
        { now: lostAt + 31 * S },
      ),
    );
    expect(eventCounts(back)).toEqual({ AgentReregistered: 1, TaskKillRequested: 2 });
  });

  it('adopts the tasks of an agent back before their expunge, and kills the surplus of the replacement', () => {
    const { s, lost, lostAt } = lostAgent();
    s.tick(lostAt);
    s.tick(lostAt + 5 * S);
    s.tick(lostAt + 6 * S);
    s.reportAll(lostAt + 7 * S);
    const replacements = s
      .tasksOf('/web')
      .filter((t) => t.agentId === 'a2')
      .map((t) => t.taskId);

    const back = s.run(
      a1.reregister(
        lost.map((taskId) => ({ taskId, state: 'TASK_RUNNING' as const })),
        { now: lostAt + 10 * S },
      ),
    );
    expect(eventCounts(back)).toEqual({ AgentReregistered: 1, TaskStatusUpdated: 2, TaskKillRequested: 2 });
    expect(eventsOf(back, 'TaskStatusUpdated').map((u) => [u.taskId, u.state, u.reason])).toEqual(
      lost.map((id) => [id, 'TASK_RUNNING', 'REASON_RECONCILIATION']),
    );
    // Same version: the app's kill selection (YOUNGEST_FIRST) picks the replacements.
    expect(
      eventsOf(back, 'TaskKillRequested')
        .map((k) => k.taskId)
        .sort(),
    ).toEqual([...replacements].sort());
    expect(s.tasksOf('/web').filter((t) => t.unreachable !== null)).toEqual([]);
    expect(activeTaskCount(s.state, '/web')).toBe(2);
  });

  it('kills tasks of an older config version first when the adopted ones are outdated', () => {
    const { s, lost, lostAt } = lostAgent();
    s.tick(lostAt);
    s.tick(lostAt + 5 * S);
    // A new version while a1 is away: the replacements run it (forced: the rolling restart
    // cannot finish while a1's tasks are unreachable).
    s.run({ ...updateApp('/web', { cmd: 'sleep 2000' }, lostAt + 5 * S + 500), force: true });
    for (let t = 6; t <= 12; t++) {
      s.tick(lostAt + t * S);
      s.reportAll(lostAt + t * S + 100);
      s.reportKills(lostAt + t * S + 200);
    }
    // The rolling restart finished: inactive tasks wait for their expunge, not for the deployment.
    expect(s.state.deployments.size).toBe(0);
    const back = s.run(
      a1.reregister(
        lost.map((taskId) => ({ taskId, state: 'TASK_RUNNING' as const })),
        { now: lostAt + 20 * S },
      ),
    );
    // The adoption decides the surplus: the adopted tasks run the old version, so they go.
    expect(
      eventsOf(back, 'TaskKillRequested')
        .map((k) => k.taskId)
        .sort(),
    ).toEqual([...lost].sort());
  });

  it('"disabled" keeps the tasks unreachable for good: never inactive, never expunged', () => {
    const { s, lostAt } = lostAgent({ unreachableStrategy: 'disabled' });
    expect(eventCounts(s.tick(lostAt))).toEqual({ AgentUnreachable: 1, TaskUnreachable: 2 });
    expect(s.tick(lostAt + 3600 * S)).toEqual([]);
    expect(activeTaskCount(s.state, '/web')).toBe(2);
  });

  it('a task whose kill was requested ends at once whatever the strategy', () => {
    const { s, lostAt } = lostAgent();
    const [first] = s.tasksOf('/web');
    s.given(
      [{ type: 'TaskKillRequested', data: { taskId: first!.taskId, agentId: 'a1', reason: 'test' } }],
      lostAt - S,
    );
    expect(eventCounts(s.tick(lostAt))).toMatchObject({
      AgentUnreachable: 1,
      TaskUnreachable: 1,
      TaskStatusUpdated: 1,
    });
  });
});
