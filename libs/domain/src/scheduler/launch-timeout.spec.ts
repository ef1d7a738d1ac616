import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, createApp, tick } from '../testing/cluster-builders';
import { eventCounts, eventsOf, T0 } from '../testing/decider-spec';
import { TASK_LAUNCH_TIMEOUT_MS, KILL_CONFIRM_MARGIN_MS } from './tick.decider';
import { uniqueTaskUuid } from '../tasks/task-states';

const SECOND_MS = 1_000;

describe('launch timeout (Marathon task_launch_timeout)', () => {
  function staged() {
    const s = new ClusterScenario();
    s.run(anAgent('a1').register());
    s.run(createApp('/web', { instances: 1, cpus: 0.1, mem: 16 }));
    s.tick(T0 + SECOND_MS);
    return s;
  }
  const at = (s: ClusterScenario, now: number) =>
    s.run(tick(now, { seed: `t-${now}`, connectedAgentIds: ['a1'], leaderSinceMs: T0 }));

  it('kills a task not RUNNING within the timeout, and delays the next launch', () => {
    const s = staged();
    expect(at(s, T0 + SECOND_MS + TASK_LAUNCH_TIMEOUT_MS - 1)).toEqual([]);
    const decided = at(s, T0 + SECOND_MS + TASK_LAUNCH_TIMEOUT_MS);
    expect(eventCounts(decided)).toEqual({ TaskKillRequested: 1, LaunchDelayed: 1 });
    expect(eventsOf(decided, 'TaskKillRequested')[0].reason).toBe('launch timeout: not running 300 s after its launch');
  });

  it('ends it itself (TASK_DROPPED) when the agent says nothing a grace period after the kill, and replaces it', () => {
    const s = staged();
    const [task] = s.tasksOf('/web');
    at(s, T0 + SECOND_MS + TASK_LAUNCH_TIMEOUT_MS);
    const confirmAt = T0 + SECOND_MS + TASK_LAUNCH_TIMEOUT_MS + 3 * SECOND_MS + KILL_CONFIRM_MARGIN_MS;
    expect(eventsOf(at(s, confirmAt - 1), 'TaskStatusUpdated')).toEqual([]);
    const dropped = at(s, confirmAt);
    expect(eventsOf(dropped, 'TaskStatusUpdated')).toEqual([
      expect.objectContaining({
        taskId: task.taskId,
        state: 'TASK_DROPPED',
        reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
      }),
    ]);
    // A killed task no longer counts: once the timeout's backoff passed, a new task took its place.
    expect(s.tasksOf('/web').map((t) => t.taskId)).not.toContain(task.taskId);
    expect(s.tasksOf('/web')).toHaveLength(1);
  });

  it('leaves a RUNNING task alone however old it is', () => {
    const s = staged();
    s.reportAll(T0 + 2 * SECOND_MS);
    expect(eventsOf(at(s, T0 + 10 * TASK_LAUNCH_TIMEOUT_MS), 'TaskKillRequested')).toEqual([]);
  });
});

describe('task ids', () => {
  it('are unique forever: the count of launches so far is part of each', () => {
    const seeded = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    expect(uniqueTaskUuid(seeded, 0)).toBe('a1b2c3d4-e5f6-4a7b-8c9d-000000000000');
    expect(uniqueTaskUuid(seeded, 0x1f)).toBe('a1b2c3d4-e5f6-4a7b-8c9d-00000000001f');
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => uniqueTaskUuid(seeded, i)));
    expect(ids.size).toBe(1000); // even with the same seed every time
  });

  it('a scenario that repeats the same tick seed never launches an id twice', () => {
    const s = new ClusterScenario();
    s.run(anAgent('a1').register());
    s.run(createApp('/web', { instances: 3, cpus: 0.1, mem: 16 }));
    const ids = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const now = T0 + (round + 1) * 10 * SECOND_MS;
      for (const e of eventsOf(
        s.run(tick(now, { seed: 'same', connectedAgentIds: ['a1'], leaderSinceMs: T0 })),
        'TaskLaunched',
      )) {
        expect(ids.has(e.taskId)).toBe(false);
        ids.add(e.taskId);
      }
      s.reportAll(now + 1, 'TASK_FAILED'); // each ends, and is replaced next round
    }
    expect(ids.size).toBeGreaterThanOrEqual(5);
  });
});
