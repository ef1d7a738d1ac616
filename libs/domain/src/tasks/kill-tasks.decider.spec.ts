import type { CairnEvent } from '@cairn/events';
import { decide } from '../decider';
import type { KillTasks } from './task.commands';
import { eventCounts, eventsOf, given, meta, recorded, stateAfter, T0 } from '../testing/decider-spec';
import { anAgent, appCreated, aTask, killRequested } from '../testing/cluster-builders';
import { KILLED_ON_REQUEST } from './kill-tasks.decider';

const T1 = T0 + 60_000;
const a1 = anAgent('a1').withResources('cpus:8;mem:8192;ports:[31000-31099]');

const kill = (taskIds: string[], options: Partial<Pick<KillTasks, 'scale' | 'force'>> = {}): KillTasks => ({
  kind: 'KillTasks',
  taskIds,
  scale: options.scale ?? false,
  force: options.force ?? false,
  meta: meta(T1),
});

/** /web with 3 running tasks, /api with 2. */
function cluster(): CairnEvent[] {
  const running = (appId: string, taskId: string) =>
    aTask(appId, taskId)
      .onAgent('a1')
      .running()
      .map((d) => recorded(d, T0 + 1_000));
  return [
    recorded(a1.registered(), T0),
    recorded(appCreated('/web', { instances: 3 }), T0),
    recorded(appCreated('/api', { instances: 2 }), T0),
    ...running('/web', 'web.1'),
    ...running('/web', 'web.2'),
    ...running('/web', 'web.3'),
    ...running('/api', 'api.1'),
    ...running('/api', 'api.2'),
  ];
}

describe('KillTasks (Marathon task kill)', () => {
  it('without scale kills the tasks and changes no app: they are replaced', () => {
    given(cluster())
      .when(kill(['web.1', 'api.2']))
      .then([killRequested('web.1', 'a1', KILLED_ON_REQUEST), killRequested('api.2', 'a1', KILLED_ON_REQUEST)]);
  });

  it('with scale lowers each app by the tasks it lost, in one deployment', () => {
    given(cluster())
      .when(kill(['web.1', 'web.2', 'api.1'], { scale: true }))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({ AppScaled: 2, TaskKillRequested: 3, DeploymentStarted: 1 });
        expect(state.apps.get('/web')?.instances).toBe(1);
        expect(state.apps.get('/api')?.instances).toBe(1);
        const [started] = eventsOf(events, 'DeploymentStarted');
        expect([...started!.affectedApps].sort()).toEqual(['/api', '/web']);
        // Only the named tasks go: the scale's own reconciler finds nothing left to kill.
        expect(eventsOf(events, 'TaskKillRequested').map((k) => k.taskId)).toEqual(['api.1', 'web.1', 'web.2']);
      });
  });

  it('with scale is refused while another deployment locks the app, unless forced', () => {
    // A rolling restart of /web is in progress (no task has been replaced yet).
    const restart = decide(
      { kind: 'RestartApp', appId: '/web', force: false, meta: meta(T0 + 2_000) },
      stateAfter(cluster()),
    );
    const locked = [...cluster(), ...restart.map((d) => recorded(d, T0 + 2_000))];
    given(locked)
      .when(kill(['web.1'], { scale: true }))
      .thenThrows('conflict');
    given(locked)
      .when(kill(['web.1'], { scale: true, force: true }))
      .thenState((state) => expect(state.apps.get('/web')?.instances).toBe(2));
    // A plain kill takes no lock.
    given(locked)
      .when(kill(['web.1']))
      .then([killRequested('web.1', 'a1', KILLED_ON_REQUEST)]);
  });

  it('does not ask twice for a task already being killed', () => {
    given([...cluster(), recorded(killRequested('web.1', 'a1', 'scaled down'), T0 + 2_000)])
      .when(kill(['web.1', 'web.2']))
      .then([killRequested('web.2', 'a1', KILLED_ON_REQUEST)]);
  });

  it('an unknown task is a 404 and nothing is killed', () => {
    given(cluster())
      .when(kill(['web.1', 'nope']))
      .thenThrows('not-found', "Task 'nope' does not exist");
  });
});
