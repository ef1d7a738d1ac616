import type { AppDefinition } from '@cairn/events';
import { draft, EventDraft } from '../command';
import { evolve } from '../decider';
import { given, iso, meta, recorded, stateAfter, T0 } from '../testing/decider-spec';
import type { CreateApp, DeleteApp, UpdateApp, UpdateApps } from './app.commands';
import { eventsOf } from '../testing/decider-spec';

const MINUTE_MS = 60_000;
const T1 = T0 + MINUTE_MS;

// ---- commands ----
const createApp = (app: Record<string, unknown>, now = T0): CreateApp => ({
  kind: 'CreateApp',
  force: true,
  app,
  meta: meta(now),
});
const updateApp = (appId: string, body: Record<string, unknown>, { partial = true, now = T1 } = {}): UpdateApp => ({
  kind: 'UpdateApp',
  force: true,
  appId,
  body,
  partial,
  meta: meta(now),
});
const deleteApp = (appId: string, now = T1): DeleteApp => ({ kind: 'DeleteApp', force: true, appId, meta: meta(now) });

// ---- events ----
const appCreated = (app: AppDefinition): EventDraft => draft('AppCreated', { app });
const appUpdated = (app: AppDefinition): EventDraft => draft('AppUpdated', { app });
const appScaled = (appId: string, instances: number, at = T1): EventDraft =>
  draft('AppScaled', { appId, instances, lastScalingAt: iso(at) });
const appDeleted = (appId: string): EventDraft => draft('AppDeleted', { appId });

/**
 * An app as `decide` records it for `{ id, cmd }` at `at`: every Marathon default written out
 * literally (not taken from APP_DEFAULTS), so a changed default fails here.
 */
function anApp(overrides: Record<string, unknown> = {}, at = T0): AppDefinition {
  const version = iso(at);
  return {
    id: '/web',
    cmd: 'sleep 1000',
    cpus: 1,
    mem: 128,
    disk: 0,
    gpus: 0,
    instances: 1,
    env: {},
    labels: {},
    constraints: [],
    healthChecks: [],
    readinessChecks: [],
    fetch: [],
    dependencies: [],
    portDefinitions: [{ port: 10000, protocol: 'tcp', name: 'default' }],
    requirePorts: false,
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 300,
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    killSelection: 'YOUNGEST_FIRST',
    unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
    networks: [{ mode: 'host' }],
    executor: '',
    secrets: {},
    role: '*',
    version,
    versionInfo: { lastScalingAt: version, lastConfigChangeAt: version },
    ...overrides,
  } as AppDefinition;
}

const HTTP_CHECK_DEFAULTS = {
  protocol: 'HTTP',
  path: '/',
  portIndex: 0,
  ignoreHttp1xx: false,
  gracePeriodSeconds: 300,
  intervalSeconds: 60,
  timeoutSeconds: 20,
  maxConsecutiveFailures: 3,
  delaySeconds: 15,
};

describe('CreateApp', () => {
  it('fills Marathon defaults and takes its version from the decision time', () => {
    given([])
      .when(createApp({ id: '/web', cmd: 'sleep 1000' }))
      .thenApps([appCreated(anApp())]);
  });

  it('fills health check defaults per protocol; given values win', () => {
    given([])
      .when(
        createApp({
          id: '/web',
          cmd: 'sleep 1000',
          healthChecks: [
            {},
            { protocol: 'TCP', intervalSeconds: 5 },
            { protocol: 'COMMAND', command: { value: 'true' } },
          ],
        }),
      )
      .thenApps([
        appCreated(
          anApp({
            healthChecks: [
              HTTP_CHECK_DEFAULTS,
              {
                protocol: 'TCP',
                portIndex: 0,
                gracePeriodSeconds: 300,
                intervalSeconds: 5,
                timeoutSeconds: 20,
                maxConsecutiveFailures: 3,
                delaySeconds: 15,
              },
              {
                protocol: 'COMMAND',
                command: { value: 'true' },
                gracePeriodSeconds: 300,
                intervalSeconds: 60,
                timeoutSeconds: 20,
                maxConsecutiveFailures: 3,
                delaySeconds: 15,
              },
            ],
          }),
        ),
      ]);
  });

  it('folds legacy ports into portDefinitions, and gives container-networked apps no default port', () => {
    given([])
      .when(createApp({ id: '/web', cmd: 'sleep 1000', ports: [8080, 0] }))
      .thenApps([
        appCreated(
          anApp({
            portDefinitions: [
              { port: 8080, protocol: 'tcp' },
              { port: 10000, protocol: 'tcp' },
            ],
          }),
        ),
      ]);
    const bridged = [{ mode: 'container/bridge' }];
    given([])
      .when(createApp({ id: '/web', cmd: 'sleep 1000', networks: bridged }))
      .thenApps([appCreated(anApp({ networks: bridged, portDefinitions: [] }))]);
  });

  it('keeps fields Cairn does not know, and merges a partial upgradeStrategy with the defaults', () => {
    const container = { type: 'DOCKER', docker: { image: 'nginx:1.27' } };
    given([])
      .when(
        createApp({ id: '/web', cmd: 'sleep 1000', container, tty: true, upgradeStrategy: { maximumOverCapacity: 0 } }),
      )
      .thenApps([
        appCreated(
          anApp({ container, tty: true, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } }),
        ),
      ]);
  });

  it('ignores a version and versionInfo in the body: the server owns them', () => {
    given([])
      .when(createApp({ id: '/web', cmd: 'sleep 1000', version: '2001-01-01T00:00:00.000Z', versionInfo: {} }))
      .thenApps([appCreated(anApp())]);
  });

  it('refuses an id that exists (409 at the edge)', () => {
    given([appCreated(anApp())])
      .when(createApp({ id: '/web', cmd: 'sleep 1' }, T1))
      .thenThrows('conflict', 'An app with id [/web] already exists.');
  });

  it('may reuse the id of a deleted app', () => {
    given([appCreated(anApp()), appDeleted('/web')])
      .when(createApp({ id: '/web', cmd: 'sleep 1000' }, T1))
      .thenApps([appCreated(anApp({}, T1))]);
  });
});

describe('UpdateApp', () => {
  it('refuses a partial body that would create an app with neither cmd, args nor container (deleted meanwhile)', () => {
    given([appCreated(anApp()), appDeleted('/web')])
      .when(updateApp('/web', { instances: 5 }))
      .thenThrows('invalid', 'Object is not valid');
  });

  it('refuses a patch that leaves both cmd and args', () => {
    given([appCreated(anApp())])
      .when(updateApp('/web', { args: ['sleep', '1'] }))
      .thenThrows('invalid', 'Object is not valid');
  });

  it('gives a change in the same millisecond as the last one a strictly later version', () => {
    given([appCreated(anApp())])
      .when(updateApp('/web', { instances: 3 }, { now: T0 }))
      .thenApps([draft('AppScaled', { appId: '/web', instances: 3, lastScalingAt: new Date(T0 + 1).toISOString() })]);
  });

  it('creates the app when it does not exist (PUT), taking the id from the path', () => {
    given([])
      .when(updateApp('/web', { id: '/ignored', cmd: 'sleep 1000' }))
      .thenApps([appCreated(anApp({}, T1))]);
  });

  it('partial: merges the body onto the current definition; both versionInfo times move', () => {
    const current = anApp({ env: { A: '1' }, mem: 64, instances: 3 });
    given([appCreated(current)])
      .when(updateApp('/web', { cmd: 'sleep 2000' }))
      .thenApps([appUpdated(anApp({ env: { A: '1' }, mem: 64, instances: 3, cmd: 'sleep 2000' }, T1))]);
  });

  it('full: replaces the definition, filling defaults again', () => {
    given([appCreated(anApp({ env: { A: '1' }, mem: 64, instances: 3, container: { type: 'MESOS' } }))])
      .when(updateApp('/web', { cmd: 'sleep 2000' }, { partial: false }))
      .thenApps([appUpdated(anApp({ cmd: 'sleep 2000' }, T1))]);
  });

  it('a change of instances alone is a scale: the version moves, lastConfigChangeAt stays', () => {
    given([appCreated(anApp())])
      .when(updateApp('/web', { instances: 5 }))
      .thenApps([appScaled('/web', 5)]);
    given([appCreated(anApp())])
      .when(updateApp('/web', { instances: 5 }))
      .thenState((state) => {
        expect(state.apps.get('/web')).toEqual(
          anApp({
            instances: 5,
            version: iso(T1),
            versionInfo: { lastScalingAt: iso(T1), lastConfigChangeAt: iso(T0) },
          }),
        );
      });
  });

  it('a full update with the same config and another count is a scale too', () => {
    given([appCreated(anApp())])
      .when(updateApp('/web', { cmd: 'sleep 1000', instances: 2 }, { partial: false }))
      .thenApps([appScaled('/web', 2)]);
  });

  it('instances and config together are an update, not a scale', () => {
    given([appCreated(anApp())])
      .when(updateApp('/web', { instances: 2, mem: 256 }))
      .thenApps([appUpdated(anApp({ instances: 2, mem: 256 }, T1))]);
  });

  it.each([
    ['an empty partial body', {}, true],
    ['the same values', { cmd: 'sleep 1000', instances: 1, mem: 128 }, true],
    ['only server-owned fields', { version: '2030-01-01T00:00:00.000Z' }, true],
    ['a full body equal to the current config', { cmd: 'sleep 1000' }, false],
  ])('changes nothing with %s', (_, body, partial) => {
    given([appCreated(anApp())])
      .when(updateApp('/web', body, { partial }))
      .thenNothingHappened();
  });

  it('changes nothing after a scale when the count is asked for again', () => {
    given([appCreated(anApp()), appScaled('/web', 4)])
      .when(updateApp('/web', { instances: 4 }, { now: T1 + MINUTE_MS }))
      .thenNothingHappened();
  });
});

describe('UpdateApp with mustExist (PATCH)', () => {
  it('changes an app that exists', () => {
    given([appCreated(anApp())])
      .when({ ...updateApp('/web', { cpus: 2 }), mustExist: true })
      .thenApps([
        appUpdated(
          anApp({ cpus: 2, version: iso(T1), versionInfo: { lastScalingAt: iso(T1), lastConfigChangeAt: iso(T1) } }),
        ),
      ]);
  });

  it('never creates one: 404', () => {
    given([])
      .when({ ...updateApp('/web', { cmd: 'sleep 1' }), mustExist: true })
      .thenThrows('not-found', "App '/web' does not exist");
  });
});

describe('UpdateApps (PUT /v2/apps, PATCH /v2/apps)', () => {
  const updateApps = (
    apps: { appId: string; body: Record<string, unknown> }[],
    { mustExist = false, partial = true } = {},
  ): UpdateApps => ({ kind: 'UpdateApps', apps, partial, mustExist, force: false, meta: meta(T1) });

  it('creates and updates several apps in ONE deployment, ordered by dependencies', () => {
    given([appCreated(anApp())])
      .when(
        updateApps([
          { appId: '/web', body: { cpus: 2, dependencies: ['/db'] } },
          { appId: '/db', body: { cmd: 'sleep 1' } },
        ]),
      )
      .thenState((state, events) => {
        expect(state.apps.get('/web')?.cpus).toBe(2);
        expect(state.apps.get('/db')?.cmd).toBe('sleep 1');
        const started = eventsOf(events, 'DeploymentStarted');
        expect(started).toHaveLength(1);
        const order = started[0]!.steps.flatMap((step) => step.actions.map((a) => a.app));
        expect(order.indexOf('/db')).toBeLessThan(order.indexOf('/web'));
      });
  });

  it('with mustExist refuses the whole batch when one app is unknown (nothing is written)', () => {
    given([appCreated(anApp())])
      .when(
        updateApps(
          [
            { appId: '/web', body: { cpus: 2 } },
            { appId: '/nope', body: { cpus: 2 } },
          ],
          { mustExist: true },
        ),
      )
      .thenThrows('not-found', "App '/nope' does not exist");
  });

  it('refuses an app named twice', () => {
    given([appCreated(anApp())])
      .when(
        updateApps([
          { appId: '/web', body: { cpus: 2 } },
          { appId: '/web', body: { cpus: 3 } },
        ]),
      )
      .thenThrows('invalid', /more than once/);
  });

  it('changes nothing when no app changes', () => {
    given([appCreated(anApp())])
      .when(updateApps([{ appId: '/web', body: { cpus: 1 } }]))
      .thenNothingHappened();
  });

  it('gives two new apps of one bulk update different service ports', () => {
    given([appCreated(anApp())])
      .when(
        updateApps([
          { appId: '/a', body: { cmd: 'sleep 1', portDefinitions: [{ port: 0 }] } },
          { appId: '/b', body: { cmd: 'sleep 1', portDefinitions: [{ port: 0 }] } },
        ]),
      )
      .thenState((state) => {
        const ports = ['/a', '/b'].map((id) => state.apps.get(id)?.portDefinitions[0]?.port);
        expect(new Set(ports).size).toBe(2);
      });
  });
});

describe('service ports (port 0 in portDefinitions)', () => {
  const api = (ports: number[], at = T0) =>
    anApp({ id: '/api', portDefinitions: ports.map((port) => ({ port, protocol: 'tcp' })) }, at);

  it('a new app takes the lowest service ports no other app holds', () => {
    given([appCreated(anApp())])
      .when(createApp({ id: '/api', cmd: 'sleep 1000', portDefinitions: [{ port: 0 }, { port: 10001 }, { port: 0 }] }))
      .thenApps([appCreated(api([10002, 10001, 10003]))]);
  });

  it('a full update that still asks for 0 keeps the ports it had; a new index takes a free one', () => {
    given([appCreated(anApp()), appCreated(api([10005]))])
      .when(updateApp('/api', { cmd: 'sleep 1000', portDefinitions: [{ port: 0 }, { port: 0 }] }, { partial: false }))
      .thenApps([appUpdated(api([10005, 10001], T1))]);
  });

  it('a scale of an app logged with port 0 (before decide assigned them) stays a scale', () => {
    given([appCreated(anApp({ portDefinitions: [{ port: 0, protocol: 'tcp', name: 'default' }] }))])
      .when(updateApp('/web', { instances: 3 }))
      .thenApps([appScaled('/web', 3)]);
  });

  it('refuses an app when every service port is taken', () => {
    const range = Array.from({ length: 10_000 }, (_, i) => 10_000 + i);
    given([appCreated(api(range))])
      .when(createApp({ id: '/web', cmd: 'sleep 1000' }))
      .thenThrows('invalid', 'All ports in the range [10000-20000) are already in use');
  });
});

describe('DeleteApp', () => {
  it('deletes an app', () => {
    given([appCreated(anApp())])
      .when(deleteApp('/web'))
      .thenApps([appDeleted('/web')]);
  });

  it('refuses an app that does not exist (404 at the edge)', () => {
    given([]).when(deleteApp('/nope')).thenThrows('not-found', "App '/nope' does not exist");
    given([appCreated(anApp()), appDeleted('/web')])
      .when(deleteApp('/web'))
      .thenThrows('not-found');
  });
});

describe('evolve (apps)', () => {
  it('AppCreated adds the app as recorded', () => {
    expect([...stateAfter([appCreated(anApp())]).apps]).toEqual([['/web', anApp()]]);
  });

  it('AppUpdated replaces the whole definition', () => {
    const next = anApp({ cmd: 'sleep 2', labels: { a: 'b' } }, T1);
    expect(stateAfter([appCreated(anApp({ env: { X: '1' } })), appUpdated(next)]).apps.get('/web')).toEqual(next);
  });

  it('AppScaled sets instances, version and lastScalingAt, and keeps lastConfigChangeAt', () => {
    const app = stateAfter([appCreated(anApp()), appScaled('/web', 7, T1)]).apps.get('/web');
    expect(app).toEqual(
      anApp({ instances: 7, version: iso(T1), versionInfo: { lastScalingAt: iso(T1), lastConfigChangeAt: iso(T0) } }),
    );
  });

  it('AppScaled of an app the state does not have changes nothing', () => {
    expect([...stateAfter([appScaled('/ghost', 2)]).apps]).toEqual([]);
  });

  it('AppDeleted removes the app and only that app', () => {
    const other = anApp({ id: '/other' });
    const state = stateAfter([appCreated(anApp()), appCreated(other), appDeleted('/web')]);
    expect([...state.apps]).toEqual([['/other', other]]);
  });

  it('LeaderElected leaves the apps alone', () => {
    const state = stateAfter([appCreated(anApp())]);
    evolve(state, recorded(draft('LeaderElected', { instance: 'm1', epoch: 1 })));
    expect([...state.apps]).toEqual([['/web', anApp()]]);
  });
});
