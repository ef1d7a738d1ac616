import { initialState, withAppDefaults, type ClusterState, type TaskRecord } from '@cairn/domain';
import type { MasterRuntime } from '../core/master-runtime';
import { embedOf, parseAppEmbed, type EmbedKey } from './app-embed';
import { appInfo } from './app.view';
import { ReadViews } from './read-views';
import { TaskIndex } from './task-index';
import { allTasks, taskInfo, tasksByApp } from './task.view';

const V1 = '2026-01-01T00:00:00.000Z';

function app(id: string, fields: Record<string, unknown> = {}) {
  return withAppDefaults({ id, cmd: 'serve', instances: 2, ...fields }, V1, {
    lastScalingAt: V1,
    lastConfigChangeAt: V1,
  });
}

function task(id: string, appId: string, stagedAt: string, fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: id,
    appId,
    appVersion: V1,
    agentId: 'agent-1',
    host: 'node-1',
    offerId: 'o',
    resources: { cpus: 1, mem: 1, disk: 0, gpus: 0, ports: [] },
    ports: [31000],
    portNames: [null],
    command: { shell: true, value: 'serve' },
    env: {},
    killGracePeriodSeconds: null,
    healthChecks: [],
    readinessChecks: [],
    state: 'TASK_RUNNING',
    stagedAt,
    startedAt: stagedAt,
    killRequested: false,
    health: [],
    ready: true,
    launchedBy: { eventId: 'e', correlationId: 'c' },
    unreachable: null,
    ...fields,
  } as TaskRecord;
}

const at = (second: number) => new Date(Date.parse(V1) + second * 1000).toISOString();

/** A runtime whose projection is `state` at `offset` (what ReadViews reads). */
function runtimeOf(holder: { state: ClusterState; offset: number }): MasterRuntime {
  return {
    projection: {
      get state() {
        return holder.state;
      },
      get appliedOffset() {
        return holder.offset;
      },
    },
  } as unknown as MasterRuntime;
}

function cluster(): ClusterState {
  const state = initialState();
  state.apps.set('/a', app('/a', { portDefinitions: [{ port: 10001, protocol: 'tcp' }], labels: { team: 'x' } }));
  state.apps.set('/b', app('/b', { healthChecks: [{ protocol: 'COMMAND', command: { value: 'true' } }] }));
  state.apps.set('/idle', app('/idle', { instances: 0 }));
  const tasks = [
    task('a.2', '/a', at(2)),
    task('b.1', '/b', at(1), {
      healthChecks: [{ protocol: 'COMMAND' }] as unknown as TaskRecord['healthChecks'],
      health: [
        {
          alive: true,
          consecutiveFailures: 0,
          firstSuccess: at(3),
          lastSuccess: at(3),
          lastFailure: null,
          lastFailureCause: null,
        },
      ],
    }),
    task('a.1', '/a', at(1), { state: 'TASK_STAGING', startedAt: null }),
    task('a.0', '/a', at(2)),
  ];
  for (const t of tasks) state.tasks.set(t.taskId, t);
  state.lastTaskFailure.set('/a', {
    appId: '/a',
    taskId: 'a.9',
    host: 'node-1',
    slaveId: 'agent-1',
    state: 'TASK_FAILED',
    message: 'boom',
    timestamp: at(0),
    version: V1,
  });
  return state;
}

const EMBEDS: EmbedKey[][] = [
  ['counts', 'deployments'],
  ['counts', 'deployments', 'tasks', 'lastTaskFailure'],
  ['tasks'],
  ['readiness', 'taskStats', 'lastTaskFailure'],
  [],
];

describe('ReadViews', () => {
  it.each(EMBEDS)('puts an app together byte for byte as JSON.stringify(appInfo) does (embed %j)', (...keys) => {
    const holder = { state: cluster(), offset: 7 };
    const views = new ReadViews(runtimeOf(holder));
    const embed = embedOf(keys);
    for (const one of holder.state.apps.values()) {
      const want = JSON.stringify(appInfo(one, holder.state, embed, { nowMs: Date.parse(at(60)) }));
      expect(views.appJson(one, embed, Date.parse(at(60))).text).toBe(want);
      // Twice: the second comes from the cache.
      expect(views.appJson(one, embed, Date.parse(at(60))).text).toBe(want);
    }
  });

  it("serialises each task as taskInfo does, and again when its app's ports change", () => {
    const holder = { state: cluster(), offset: 7 };
    const views = new ReadViews(runtimeOf(holder));
    const a2 = holder.state.tasks.get('a.2')!;
    expect(views.task(a2).text).toBe(JSON.stringify(taskInfo(a2, holder.state)));
    holder.state.apps.set('/a', {
      ...holder.state.apps.get('/a')!,
      portDefinitions: [{ port: 10002, protocol: 'tcp' }],
    });
    holder.offset = 8;
    expect(JSON.parse(views.task(a2).text).servicePorts).toEqual([10002]);
  });

  it('lists the apps in localeCompare order, also after apps come and go', () => {
    const holder = { state: cluster(), offset: 7 };
    const views = new ReadViews(runtimeOf(holder));
    const byLocale = () => [...holder.state.apps.keys()].sort((a, b) => a.localeCompare(b));
    expect(views.appsInOrder().map((a) => a.id)).toEqual(byLocale());
    holder.state.apps.set('/B-upper', app('/B-upper'));
    holder.state.apps.delete('/idle');
    holder.state.apps.set('/a', { ...holder.state.apps.get('/a')!, instances: 5 });
    holder.offset = 8;
    expect(views.appsInOrder().map((a) => a.id)).toEqual(byLocale());
    expect(views.appsInOrder().find((a) => a.id === '/a')?.instances).toBe(5);
  });

  it('shows the single app as appInfo does with the tasks grouped from the whole state', () => {
    const holder = { state: cluster(), offset: 7 };
    const views = new ReadViews(runtimeOf(holder));
    const embed = parseAppEmbed(undefined, 'single');
    const a = holder.state.apps.get('/a')!;
    expect(views.appInfo(a, embed, { nowMs: 0 })).toEqual(appInfo(a, holder.state, embed, { nowMs: 0 }));
  });
});

describe('TaskIndex', () => {
  /** What the index must give: the plain functions over the whole state. */
  function expectInStep(index: TaskIndex, state: ClusterState) {
    index.refresh(state);
    expect(index.all()).toEqual(allTasks(state));
    const grouped = tasksByApp(state);
    for (const id of new Set([...state.apps.keys(), ...grouped.keys()])) {
      expect(index.tasksOf(id)).toEqual(grouped.get(id) ?? []);
    }
  }

  it('follows records added, replaced and removed', () => {
    const state = cluster();
    const index = new TaskIndex();
    expectInStep(index, state);
    const before = index.tasksOf('/a');
    expect(index.tasksOf('/a')).toBe(before); // unchanged: the same array

    // A new task (staged later than all), a status change (a new record), a task gone.
    state.tasks.set('b.9', task('b.9', '/b', at(9)));
    state.tasks.set('a.1', { ...state.tasks.get('a.1')!, state: 'TASK_RUNNING', startedAt: at(5) });
    state.tasks.delete('a.0');
    expectInStep(index, state);
    expect(index.tasksOf('/a')).not.toBe(before);

    // A task staged before others (out of order), and the last task of an app gone.
    state.tasks.set('c.0', task('c.0', '/c', at(0)));
    state.tasks.delete('b.1');
    state.tasks.delete('b.9');
    expectInStep(index, state);
  });

  it('starts afresh on another state', () => {
    const state = cluster();
    const index = new TaskIndex();
    expectInStep(index, state);
    const other = cluster();
    other.tasks.delete('b.1');
    expectInStep(index, other);
  });
});
