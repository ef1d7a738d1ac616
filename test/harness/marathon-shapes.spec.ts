import { checkMarathonResponse, MarathonShapeError, shapeOf, shapeViolations } from './marathon-shapes';

const url = (path: string) => new URL(path, 'http://127.0.0.1:8080');
const check = (method: string, path: string, body: unknown, status = 200) =>
  checkMarathonResponse(method, url(path), status, body, true);

const TASK = {
  id: 'web.1',
  appId: '/web',
  host: 'node-1',
  ports: [31000],
  servicePorts: [10000],
  slaveId: 'a1',
  stagedAt: '2026-01-01T00:00:00.000Z',
  state: 'TASK_RUNNING',
  version: '2026-01-01T00:00:00.000Z',
  ipAddresses: [{ ipAddress: '127.0.0.1', protocol: 'IPv4' }],
  healthCheckResults: [{ instanceId: 'web.1', taskId: 'web.1', alive: true, consecutiveFailures: 0 }],
};

const APP = {
  id: '/web',
  cmd: 'serve',
  instances: 1,
  labels: {},
  env: { ANY_KEY: 'env is a dict' },
  healthChecks: [{ protocol: 'HTTP', delaySeconds: 15, anything: 'health checks take extras' }],
  container: { type: 'DOCKER', docker: { image: 'x', extra: 'docker takes extras' }, volumes: [] },
  portDefinitions: [{ port: 0, protocol: 'tcp', name: 'default' }],
  upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  versionInfo: { lastScalingAt: 'a', lastConfigChangeAt: 'b' },
  secrets: { s: { source: 'vault' } },
  tasksRunning: 1,
  deployments: [{ id: 'd1' }],
  tasks: [TASK],
  lastTaskFailure: { appId: '/web', taskId: 't', state: 'TASK_FAILED', message: 'm', host: 'h', timestamp: 't' },
  taskStats: { totalSummary: { stats: { counts: { staged: 0, running: 1, healthy: 1, unhealthy: 0 } } } },
};

const violationPaths = (method: string, path: string, body: unknown, status = 200) => {
  try {
    check(method, path, body, status);
    return [];
  } catch (error) {
    if (!(error instanceof MarathonShapeError)) throw error;
    return error.violations.map((v) => v.path);
  }
};

describe('the /v2 response profile (marathon-python 0.13 field sets)', () => {
  it('accepts Marathon-shaped answers', () => {
    expect(violationPaths('GET', '/v2/apps/web', { app: APP })).toEqual([]);
    expect(violationPaths('GET', '/v2/apps', { apps: [APP] })).toEqual([]);
    expect(violationPaths('GET', '/v2/tasks', { tasks: [TASK] })).toEqual([]);
    expect(violationPaths('GET', '/v2/apps/a/b/versions/2026-01-01T00:00:00.000Z', APP)).toEqual([]);
  });

  it('fails on an extra app field, naming the route and the field path', () => {
    expect(() => check('GET', '/v2/apps/web', { app: { ...APP, tty: true } })).toThrow(
      "GET /v2/apps/web (200): fields outside Marathon's /v2 profile (marathon-python would reject them): $.app.tty (not a field of app)",
    );
  });

  it('fails on extras deep inside: an embedded task, a health result, a container, a secret', () => {
    const app = {
      ...APP,
      tasks: [{ ...TASK, checkResult: {}, healthCheckResults: [{ alive: true, extra: 1 }] }],
      container: { type: 'MESOS', linuxInfo: {} },
      secrets: { s: { source: 'x', other: 1 } },
    };
    expect(violationPaths('GET', '/v2/apps', { apps: [app] })).toEqual([
      '$.apps[0].container.linuxInfo',
      '$.apps[0].secrets.s.other',
      '$.apps[0].tasks[0].healthCheckResults[0].extra',
      '$.apps[0].tasks[0].checkResult',
    ]);
  });

  it("fails on Marathon's tasksStats (the client only knows taskStats)", () => {
    expect(violationPaths('GET', '/v2/apps/web', { app: { ...APP, tasksStats: {} } })).toEqual(['$.app.tasksStats']);
  });

  it('fails on a queue item with role, and on /v2/info with Cairn extras or unknown config keys', () => {
    const item = { app: APP, count: 1, delay: { timeLeftSeconds: 0, overdue: true }, since: 'x', role: '*' };
    expect(violationPaths('GET', '/v2/queue', { queue: [item] })).toEqual(['$.queue[0].role']);
    const info = {
      name: 'cairn',
      marathon_config: { hostname: 'h', http_port: 1 },
      zookeeper_config: {},
      http_config: { http_port: 1 },
      cairn: {},
    };
    expect(violationPaths('GET', '/v2/info', info)).toEqual(['$.marathon_config.http_port', '$.cairn']);
  });

  it('checks deployments and their actions', () => {
    const deployment = {
      id: 'd',
      version: 'v',
      affectedApps: ['/web'],
      affectedPods: [],
      steps: [{ actions: [{ action: 'StartApplication', app: '/web', extra: 1 }] }],
      currentActions: [{ action: 'StartApplication', app: '/web', readinessCheckResults: [], progress: {} }],
      currentStep: 1,
      totalSteps: 1,
    };
    expect(violationPaths('GET', '/v2/deployments', [deployment])).toEqual([
      '$[0].steps[0].actions[0].extra',
      '$[0].currentActions[0].progress',
    ]);
  });

  it('a kill answers a task or a deploymentResult: both are checked', () => {
    expect(violationPaths('DELETE', '/v2/apps/web/tasks/web.1', { task: TASK })).toEqual([]);
    expect(violationPaths('DELETE', '/v2/apps/web/tasks/web.1', { deploymentId: 'd', version: 'v' })).toEqual([]);
    expect(violationPaths('DELETE', '/v2/apps/web/tasks/web.1', { deploymentId: 'd', version: 'v', x: 1 })).toEqual([
      '$.x',
    ]);
    expect(violationPaths('DELETE', '/v2/apps/web/tasks/web.1', { task: { ...TASK, agentId: 'a' } })).toEqual([
      '$.task.agentId',
    ]);
  });

  it('errors are checked against the error shape', () => {
    expect(violationPaths('GET', '/v2/apps/x', { message: 'App does not exist' }, 404)).toEqual([]);
    expect(violationPaths('PUT', '/v2/apps/x', { message: 'm', deployments: [{ id: 'd' }] }, 409)).toEqual([]);
    expect(violationPaths('GET', '/v2/apps/x', { message: 'm', stack: 'trace' }, 500)).toEqual(['$.stack']);
  });

  it('a /v2 JSON answer on a route without a known shape fails; other answers are not checked', () => {
    expect(() => check('GET', '/v2/unheard-of', {})).toThrow(/no response shape is known/);
    expect(() => check('GET', '/v1/info', { anything: 1 })).not.toThrow();
    expect(() => checkMarathonResponse('GET', url('/v2/events'), 200, 'data: {}', false)).not.toThrow();
    expect(shapeOf('DELETE', '/v2/apps/a/b', 200)).toBeDefined();
  });

  it('null values and values of other types are not field errors', () => {
    expect(
      shapeViolations({ app: { ...APP, container: null, tasks: null } }, shapeOf('GET', '/v2/apps/x', 200)!),
    ).toEqual([]);
  });
});
