import { CairnEvent } from '../events/cairn-events';
import { DiscoveryState, emptyDiscoveryState, foldEvent } from './discovery-fold';
import { servicesOf } from './services';

let seq = 0;
function event(type: string, data: Record<string, unknown>, v = 1): CairnEvent {
  seq += 1;
  return { id: `e${seq}`, type, v, at: `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`, data };
}

const HTTP_CHECK = { protocol: 'HTTP', path: '/alive', portIndex: 0 };

function app(id: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    portDefinitions: [{ port: 10001, protocol: 'tcp' }],
    labels: {},
    healthChecks: [HTTP_CHECK],
    ...fields,
  };
}

function launched(taskId: string, appId: string, fields: Record<string, unknown> = {}, v = 3) {
  return event(
    'TaskLaunched',
    { taskId, appId, host: 'node-1', ports: [31001], healthChecks: [HTTP_CHECK], readinessChecks: [], ...fields },
    v,
  );
}

const status = (taskId: string, state: string) => event('TaskStatusUpdated', { taskId, agentId: 'a1', state });
const health = (taskId: string, alive: boolean, checkIndex = 0) =>
  event('TaskHealthChanged', { taskId, appId: '/web', checkIndex, alive });

function fold(events: CairnEvent[]): DiscoveryState {
  const state = emptyDiscoveryState();
  for (const e of events) foldEvent(state, e);
  return state;
}

const serverIds = (state: DiscoveryState) => servicesOf(state).map((s) => s.servers.map((server) => server.taskId));

describe('the discovery fold', () => {
  it('routes a health-checked task only once it runs and its check says alive', () => {
    const history = [event('AppCreated', { app: app('/web') }), launched('t1', '/web')];
    expect(serverIds(fold(history))).toEqual([[]]);
    history.push(status('t1', 'TASK_RUNNING'));
    expect(serverIds(fold(history))).toEqual([[]]); // running, not yet checked
    history.push(health('t1', true));
    expect(servicesOf(fold(history))).toEqual([
      {
        appId: '/web',
        servicePort: 10001,
        portIndex: 0,
        mode: 'http',
        servers: [{ taskId: 't1', host: 'node-1', port: 31001 }],
      },
    ]);
  });

  it('routes a task without health checks once it runs (TaskLaunched v1 has no checks at all)', () => {
    const state = fold([
      event('AppCreated', { app: app('/web', { healthChecks: [] }) }),
      launched('t1', '/web', { healthChecks: undefined, readinessChecks: undefined }, 1),
      status('t1', 'TASK_RUNNING'),
    ]);
    expect(serverIds(state)).toEqual([['t1']]);
    expect(servicesOf(state)[0].mode).toBe('tcp');
  });

  it('drops a task at once when its kill is requested, when it turns unhealthy, or when it ends', () => {
    const base = [
      event('AppCreated', { app: app('/web') }),
      ...['t1', 't2', 't3', 't4'].flatMap((id, i) => [
        launched(id, '/web', { ports: [31001 + i] }),
        status(id, 'TASK_RUNNING'),
        health(id, true),
      ]),
    ];
    expect(serverIds(fold(base))).toEqual([['t1', 't2', 't3', 't4']]);
    const after = fold([
      ...base,
      event('TaskKillRequested', { taskId: 't1', agentId: 'a1', reason: 'scale down' }),
      health('t2', false),
      status('t3', 'TASK_KILLED'),
    ]);
    expect(serverIds(after)).toEqual([['t4']]);
    expect(after.tasks.has('t3')).toBe(false);
    // A task whose check recovers is routed again (it was never killed).
    expect(serverIds(fold([...base, health('t2', false), health('t2', true)]))).toEqual([['t1', 't2', 't3', 't4']]);
  });

  it('waits for every health check and for readiness', () => {
    const state = fold([
      event('AppCreated', { app: app('/web') }),
      launched('t1', '/web', { healthChecks: [HTTP_CHECK, HTTP_CHECK], readinessChecks: [{ name: 'r' }] }),
      status('t1', 'TASK_RUNNING'),
      health('t1', true, 0),
    ]);
    expect(serverIds(state)).toEqual([[]]);
    foldEvent(state, health('t1', true, 1));
    expect(serverIds(state)).toEqual([[]]); // not ready yet
    foldEvent(state, event('TaskReadinessChanged', { taskId: 't1', appId: '/web', name: 'r', ready: true }));
    expect(serverIds(state)).toEqual([['t1']]);
  });

  it('takes an unreachable task out, and brings it back when a status says it runs again', () => {
    const base = [
      event('AppCreated', { app: app('/web') }),
      launched('t1', '/web'),
      status('t1', 'TASK_RUNNING'),
      health('t1', true),
    ];
    const state = fold([...base, event('TaskUnreachable', { taskId: 't1', agentId: 'a1' })]);
    expect(serverIds(state)).toEqual([[]]);
    foldEvent(state, status('t1', 'TASK_RUNNING'));
    expect(serverIds(state)).toEqual([['t1']]);
    foldEvent(state, status('t1', 'TASK_UNREACHABLE')); // a TASK_UNREACHABLE status always ends the task
    expect(state.tasks.size).toBe(0);
  });

  it('exposes one service per service port, in port order, from an update of the app', () => {
    const twoPorts = {
      portDefinitions: [
        { port: 10002, protocol: 'tcp' },
        { port: 10003, protocol: 'tcp' },
      ],
      labels: { HAPROXY_1_MODE: 'http' },
    };
    const state = fold([
      event('AppCreated', { app: app('/web') }),
      event('AppUpdated', { app: app('/web', twoPorts) }),
      launched('t1', '/web', { ports: [31001, 31002] }),
      launched('t2', '/web', { ports: [31003] }), // fewer host ports than service ports: left out of port 1
      status('t1', 'TASK_RUNNING'),
      status('t2', 'TASK_RUNNING'),
      health('t1', true),
      health('t2', true),
    ]);
    const services = servicesOf(state);
    expect(services.map((s) => [s.servicePort, s.mode, s.servers.map((x) => `${x.taskId}@${x.port}`)])).toEqual([
      [10002, 'http', ['t1@31001', 't2@31003']],
      [10003, 'http', ['t1@31002']],
    ]);
  });

  it('forgets a deleted app (its tasks serve nothing), ignores port 0, filters by HAPROXY_GROUP', () => {
    const state = fold([
      event('AppCreated', { app: app('/a', { labels: { HAPROXY_GROUP: 'external' } }) }),
      event('AppCreated', { app: app('/b', { portDefinitions: [{ port: 10009, protocol: 'tcp' }] }) }),
      event('AppCreated', { app: app('/old', { portDefinitions: [{ port: 0, protocol: 'tcp' }] }) }),
    ]);
    expect(servicesOf(state).map((s) => s.appId)).toEqual(['/a', '/b']);
    expect(servicesOf(state, { group: 'external' }).map((s) => s.appId)).toEqual(['/a']);
    foldEvent(state, event('AppDeleted', { appId: '/a' }));
    expect(servicesOf(state).map((s) => s.appId)).toEqual(['/b']);
  });

  it('ignores task events for tasks it does not hold and types it does not use', () => {
    const state = fold([
      status('ghost', 'TASK_RUNNING'),
      health('ghost', true),
      event('TaskKillRequested', { taskId: 'ghost', agentId: 'a', reason: 'x' }),
      event('OffersMade', { offers: [] }),
    ]);
    expect(state.tasks.size).toBe(0);
    expect(state.apps.size).toBe(0);
  });
});
