import { initialState, withAppDefaults, type TaskRecord } from '@cairn/domain';
import { checkMarathonResponse } from '../../../../test/harness/marathon-shapes';
import { parseAppEmbed } from './app-embed';
import { appDefinitionView, appInfo, taskStats } from './app.view';
import { taskInfo } from './task.view';

const V1 = '2026-01-01T00:00:00.000Z';
const V2 = '2026-01-01T00:10:00.000Z';

/** A stored app with every kind of field the client would reject: newer Marathon fields and unknown ones. */
const stored = withAppDefaults(
  {
    id: '/web',
    cmd: 'serve',
    portDefinitions: [{ port: 10001, protocol: 'tcp', name: 'http', extra: 1 }],
    check: { http: { portIndex: 0 } },
    tty: true,
    executorResources: { cpus: 0.1 },
    resourceLimits: { cpus: 'unlimited' },
    'x-unknown': 1,
    container: {
      type: 'MESOS',
      linuxInfo: { seccomp: {} },
      portMappings: [{ containerPort: 80, networkNames: ['n'] }],
      volumes: [{ containerPath: '/d', hostPath: '/h', mode: 'RW', secret: 's' }],
    },
    readinessChecks: [{ name: 'r', portName: 'http', extra: 1 }],
    healthChecks: [{ protocol: 'COMMAND', command: { value: 'true' } }],
  },
  V2,
  { lastScalingAt: V2, lastConfigChangeAt: V1 },
);

function task(id: string, fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: id,
    appId: '/web',
    appVersion: V2,
    agentId: 'agent-1',
    host: 'node-1',
    offerId: 'o',
    resources: { cpus: 1, mem: 1, disk: 0, gpus: 0, ports: [] },
    ports: [31000],
    portNames: ['http'],
    command: { shell: true, value: 'serve' },
    env: {},
    killGracePeriodSeconds: null,
    healthChecks: [],
    readinessChecks: [],
    state: 'TASK_RUNNING',
    stagedAt: V2,
    startedAt: V2,
    killRequested: false,
    health: [],
    ready: true,
    launchedBy: { eventId: 'e', correlationId: 'c' },
    ...fields,
  } as unknown as TaskRecord;
}

describe('the /v2 app view', () => {
  const state = initialState();
  state.apps.set(stored.id, stored);
  state.tasks.set('web.1', task('web.1'));

  it('renders only the fields marathon-python accepts, nested ones included', () => {
    const view = appDefinitionView(stored);
    for (const field of ['check', 'tty', 'executorResources', 'resourceLimits', 'x-unknown']) {
      expect(view).not.toHaveProperty(field);
    }
    expect(view.container).toEqual({
      type: 'MESOS',
      portMappings: [{ containerPort: 80 }],
      volumes: [{ containerPath: '/d', hostPath: '/h', mode: 'RW' }],
    });
    expect(view.portDefinitions).toEqual([{ port: 10001, protocol: 'tcp', name: 'http' }]);
    expect(view.labels).toEqual({});
    // The harness's independent profile agrees, with every embed on.
    const all = parseAppEmbed(['app.failures', 'app.readiness', 'app.taskStats'], 'single');
    expect(() =>
      checkMarathonResponse('GET', new URL('http://x/v2/apps/web'), 200, { app: appInfo(stored, state, all) }, true),
    ).not.toThrow();
  });

  it('embeds only what is asked: the list default has counts and deployments, no tasks', () => {
    const list = appInfo(stored, state, parseAppEmbed(undefined, 'list'));
    expect(list).toMatchObject({ tasksRunning: 1, tasksStaged: 0, deployments: [] });
    expect(list).not.toHaveProperty('tasks');
    expect(list).not.toHaveProperty('taskStats');
    const single = appInfo(stored, state, parseAppEmbed(undefined, 'single'));
    expect(single.tasks).toEqual([taskInfo(task('web.1'), state)]);
  });

  it("task servicePorts are its app's portDefinitions ports; healthCheckResults are always there", () => {
    expect(taskInfo(task('web.1'), state)).toMatchObject({ servicePorts: [10001], healthCheckResults: [] });
  });

  it('taskStats: counts per category and the life time of running tasks', () => {
    const now = Date.parse(V2) + 10_000;
    const old = task('web.0', { appVersion: V1, stagedAt: V1, startedAt: V1, state: 'TASK_RUNNING' });
    const staging = task('web.2', { state: 'TASK_STAGING', startedAt: null });
    // Its config changed at V2: the task of V1 runs an outdated config.
    const changed = { ...stored, versionInfo: { lastScalingAt: V2, lastConfigChangeAt: V2 } };
    const stats = taskStats(changed, [old, task('web.1'), staging], now);
    expect(stats).toEqual({
      startedAfterLastScaling: {
        stats: {
          counts: { staged: 1, running: 1, healthy: 0, unhealthy: 0 },
          lifeTime: { averageSeconds: 10, medianSeconds: 10 },
        },
      },
      withLatestConfig: {
        stats: {
          counts: { staged: 1, running: 1, healthy: 0, unhealthy: 0 },
          lifeTime: { averageSeconds: 10, medianSeconds: 10 },
        },
      },
      withOutdatedConfig: {
        stats: {
          counts: { staged: 0, running: 1, healthy: 0, unhealthy: 0 },
          lifeTime: { averageSeconds: 610, medianSeconds: 610 },
        },
      },
      totalSummary: {
        stats: {
          counts: { staged: 1, running: 2, healthy: 0, unhealthy: 0 },
          lifeTime: { averageSeconds: 310, medianSeconds: 310 },
        },
      },
    });
    expect(taskStats(stored, [], now)).toEqual({});
  });
});
