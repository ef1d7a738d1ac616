import type { CairnEvent } from '@cairn/events';
import { draft } from '../command';
import { launchQueue } from '../scheduler/launch-queue';
import { eventCounts, eventsOf, given, recorded, T0 } from '../testing/decider-spec';
import { ClusterScenario } from '../testing/cluster-scenario';
import {
  anAgent,
  appCreated,
  aTask,
  createApp,
  deleteApp,
  killRequested,
  scaleApp,
  updateApp,
} from '../testing/cluster-builders';

/**
 * Kills decided by app commands (UpdateApp scales down, DeleteApp): Marathon's kill selection,
 * and kill-requested tasks no longer counting towards `instances`.
 */
const SECOND_MS = 1_000;
const T1 = T0 + 60 * SECOND_MS;

const a1 = anAgent('a1').withResources('cpus:8;mem:8192;ports:[31000-31099]');

/** Three running tasks of /web staged one second apart: web.old, web.mid, web.new. */
function threeRunning(killSelection?: string): CairnEvent[] {
  const fields = { instances: 3, ...(killSelection ? { killSelection } : {}) };
  const staged = (taskId: string, atMs: number): CairnEvent[] =>
    aTask('/web', taskId)
      .onAgent('a1')
      .running()
      .map((d) => recorded(d, atMs));
  return [
    recorded(a1.registered(), T0),
    recorded(appCreated('/web', fields), T0),
    ...staged('web.old', T0 + 1 * SECOND_MS),
    ...staged('web.mid', T0 + 2 * SECOND_MS),
    ...staged('web.new', T0 + 3 * SECOND_MS),
  ];
}

const appScaled = (appId: string, instances: number, at: number) =>
  draft('AppScaled', { appId, instances, lastScalingAt: new Date(at).toISOString() });

describe('UpdateApp scaling down', () => {
  it('YOUNGEST_FIRST (the default) kills the youngest tasks', () => {
    given(threeRunning())
      .when(scaleApp('/web', 1, T1))
      .thenApps([
        appScaled('/web', 1, T1),
        killRequested('web.mid', 'a1', 'scaled down'),
        killRequested('web.new', 'a1', 'scaled down'),
      ]);
  });

  it('OLDEST_FIRST kills the oldest tasks', () => {
    given(threeRunning('OLDEST_FIRST'))
      .when(scaleApp('/web', 1, T1))
      .thenApps([
        appScaled('/web', 1, T1),
        killRequested('web.old', 'a1', 'scaled down'),
        killRequested('web.mid', 'a1', 'scaled down'),
      ]);
  });

  it('scaling to 0 kills every task', () => {
    given(threeRunning())
      .when(scaleApp('/web', 0, T1))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({ AppScaled: 1, TaskKillRequested: 3, DeploymentStarted: 1 });
        expect([...state.tasks.values()].every((t) => t.killRequested)).toBe(true);
      });
  });

  it('scaling up kills nothing', () => {
    given(threeRunning())
      .when(scaleApp('/web', 5, T1))
      .thenApps([appScaled('/web', 5, T1)]);
  });

  it('a config change with fewer instances kills nothing at once: its rolling restart replaces the tasks', () => {
    given(threeRunning())
      .when(updateApp('/web', { instances: 2, cmd: 'sleep 2000' }, T1))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({ AppUpdated: 1, DeploymentStarted: 1 });
        expect(eventsOf(events, 'DeploymentStarted')[0].steps).toEqual([
          { actions: [{ action: 'RestartApplication', app: '/web' }] },
        ]);
        expect([...state.tasks.values()].some((t) => t.killRequested)).toBe(false);
      });
  });

  it('a kill-requested task does not count: 3 -> 1 -> 0 kills each task once', () => {
    given([
      ...threeRunning(),
      killRequested('web.mid', 'a1', 'scaled down'),
      killRequested('web.new', 'a1', 'scaled down'),
    ])
      .when(scaleApp('/web', 0, T1))
      .thenApps([appScaled('/web', 0, T1), killRequested('web.old', 'a1', 'scaled down')]);
  });

  it('tasks staged in the same millisecond are chosen by task id (deterministic)', () => {
    const at = T0 + SECOND_MS;
    given([
      a1.registered(),
      appCreated('/web', { instances: 3 }),
      ...['web.c', 'web.a', 'web.b'].map((id) => recorded(aTask('/web', id).onAgent('a1').launched(), at)),
    ])
      .when(scaleApp('/web', 2, T1))
      .thenApps([appScaled('/web', 2, T1), killRequested('web.c', 'a1', 'scaled down')]);
  });

  it('a task still STAGING is killed before a RUNNING one, whatever their ages', () => {
    // Marathon's ScalingProposition.sortByConditionAndDate: the order is LOST, UNREACHABLE,
    // UNHEALTHY, STAGING, then the rest; the kill selection only breaks ties within a condition.
    given([
      a1.registered(),
      appCreated('/web', { instances: 2 }),
      recorded(aTask('/web', 'web.staging-old').onAgent('a1').launched(), T0 + 1 * SECOND_MS),
      ...aTask('/web', 'web.running-young')
        .onAgent('a1')
        .running()
        .map((d) => recorded(d, T0 + 2 * SECOND_MS)),
    ])
      .when(scaleApp('/web', 1, T1))
      .thenApps([appScaled('/web', 1, T1), killRequested('web.staging-old', 'a1', 'scaled down')]);
  });
});

describe('DeleteApp', () => {
  it('kills every task of the app', () => {
    given(threeRunning())
      .when(deleteApp('/web', T1))
      .thenApps([
        draft('AppDeleted', { appId: '/web' }),
        killRequested('web.old', 'a1', 'app deleted'),
        killRequested('web.mid', 'a1', 'app deleted'),
        killRequested('web.new', 'a1', 'app deleted'),
      ]);
  });

  it('does not ask twice for a kill already requested', () => {
    given([...threeRunning(), killRequested('web.new', 'a1', 'scaled down')])
      .when(deleteApp('/web', T1))
      .thenState((_state, events) =>
        expect(eventCounts(events)).toEqual({ AppDeleted: 1, TaskKillRequested: 2, DeploymentStarted: 1 }),
      );
  });

  it('leaves other apps tasks alone', () => {
    given([...threeRunning(), appCreated('/api'), ...aTask('/api', 'api.1').onAgent('a1').running()])
      .when(deleteApp('/web', T1))
      .thenState((state) => expect(state.tasks.get('api.1')?.killRequested).toBe(false));
  });
});

describe('scale 3 -> 1 -> 3 with the kills still in flight', () => {
  it('launches 2 new tasks: kill-requested tasks do not count towards instances', () => {
    const s = new ClusterScenario();
    s.run(a1.register({ now: T0 }));
    s.run(createApp('/web', { instances: 3, cpus: 0.5, mem: 64 }, T0));
    s.tick(T0 + 1 * SECOND_MS);
    s.reportAll(T0 + 2 * SECOND_MS);
    expect(s.activeCount('/web')).toBe(3);

    const down = s.run(scaleApp('/web', 1, T0 + 3 * SECOND_MS));
    // Forced (the builders' default): each scale cancels the deployment still in progress.
    expect(eventCounts(down)).toEqual({
      DeploymentCancelled: 1,
      AppScaled: 1,
      TaskKillRequested: 2,
      DeploymentStarted: 1,
    });
    const up = s.run(scaleApp('/web', 3, T0 + 4 * SECOND_MS));
    expect(eventCounts(up)).toEqual({ DeploymentCancelled: 1, AppScaled: 1, DeploymentStarted: 1 });
    expect(launchQueue(s.state, T0 + 5 * SECOND_MS).map((q) => [q.app.id, q.count])).toEqual([['/web', 2]]);

    const pass = s.tick(T0 + 5 * SECOND_MS);
    expect(eventCounts(pass)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 2 });
    expect(s.tasksOf('/web')).toHaveLength(5); // 2 being killed + 3 active
    expect(s.activeCount('/web')).toBe(3);

    // The agents confirm the kills: no backoff, nothing more to launch.
    const kills = s.reportKills(T0 + 6 * SECOND_MS);
    expect(eventCounts(kills)).toEqual({ TaskStatusUpdated: 2 });
    expect(s.tick(T0 + 7 * SECOND_MS)).toEqual([]);
  });
});
