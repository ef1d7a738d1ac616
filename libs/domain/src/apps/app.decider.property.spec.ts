import fc from 'fast-check';
import type { AppDefinition } from '@cairn/events';
import { aTask, definitionOf } from '../testing/cluster-builders';
import { stateAfter, T0 } from '../testing/decider-spec';
import { draft } from '../command';
import { hasAppDefaults } from './app-defaults';
import { AppDecision, changeDecision, changeDecisionInFull } from './app.decider';

const APP = '/web';

/**
 * Apps the state can hold: decided by this release (every default filled), and legacy ones whose
 * stored definition lacks a newer default, keeps a legacy field (`ports`, docker's network), or
 * has ports and health checks in a shape withAppDefaults would fill in.
 */
const runnable = fc.constantFrom<Record<string, unknown>>(
  { cmd: 'sleep 1000' },
  { cmd: undefined, args: ['sleep', '1000'] },
  { cmd: undefined, container: { type: 'DOCKER', docker: { image: 'nginx' } } },
  { args: ['both'] }, // cmd and args: not runnable
  { cmd: undefined, container: null }, // neither: not runnable
);
const ports = fc.constantFrom<unknown[]>(
  [{ port: 10000, protocol: 'tcp', name: 'default' }],
  [{ port: 0, protocol: 'tcp', name: 'default' }],
  [{ port: 10001, name: 'http' }], // no protocol: filled
  [],
  [
    { port: 10002, protocol: 'tcp' },
    { port: 10003, protocol: 'udp', labels: { a: 'b' } },
  ],
);
const healthChecks = fc.constantFrom<unknown[]>(
  [],
  [{ protocol: 'HTTP' }], // every default missing
  [
    {
      protocol: 'MESOS_HTTP',
      path: '/health',
      gracePeriodSeconds: 300,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      delaySeconds: 15,
      portIndex: 0,
    },
  ],
  [
    {
      protocol: 'COMMAND',
      command: { value: 'true' },
      gracePeriodSeconds: 10,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      delaySeconds: 15,
    },
  ],
  [
    {
      protocol: 'HTTP',
      path: '/',
      ignoreHttp1xx: false,
      gracePeriodSeconds: 300,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      delaySeconds: 15,
    }, // no portIndex: filled when the app has one port
  ],
);
const legacy = fc.constantFrom<Record<string, unknown>>(
  {},
  { ports: [8080] },
  { container: { type: 'DOCKER', docker: { image: 'nginx', network: 'BRIDGE' } }, cmd: undefined },
  {
    container: { type: 'DOCKER', docker: { image: 'nginx', portMappings: [{ containerPort: 80 }] } },
    cmd: undefined,
  },
  { upgradeStrategy: { minimumHealthCapacity: 0.5 } },
  { networks: [{ mode: 'container/bridge' }] },
  { unknownField: { kept: true } },
);
const defaultKeys = fc.subarray([
  'disk',
  'gpus',
  'fetch',
  'secrets',
  'role',
  'executor',
  'networks',
  'readinessChecks',
]);

const storedApp = fc
  .record({
    runnable,
    ports,
    healthChecks,
    legacy,
    missing: defaultKeys,
    legacyDefaults: fc.boolean(),
    instances: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ runnable, ports, healthChecks, legacy, missing, legacyDefaults, instances }) => {
    const app: Record<string, unknown> = {
      ...definitionOf(APP, { instances }),
      portDefinitions: ports,
      healthChecks,
      ...runnable,
      ...legacy,
    };
    if (legacyDefaults) for (const key of missing) delete app[key];
    // The state holds what the log held: JSON.
    return JSON.parse(JSON.stringify(app)) as AppDefinition;
  });

/** Partial bodies: mostly a scale, some with the fields a client echoes back, some not a scale. */
const body = fc.oneof(
  fc.record({ instances: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ instances: fc.integer({ min: 0, max: 5 }), version: fc.constant('2020-01-01T00:00:00.000Z') }),
  fc.record({ instances: fc.integer({ min: 0, max: 5 }), cmd: fc.constant('sleep 1000') }),
  fc.record({ instances: fc.constantFrom<unknown>('3', null, 2.5) }),
  fc.record({ cmd: fc.constant('sleep 2000') }),
);

/** A decision, or the error it throws, as the log (and the caller) would see it. */
function outcome(decide: () => AppDecision): unknown {
  try {
    return JSON.parse(JSON.stringify(decide()));
  } catch (error) {
    return { thrown: (error as Error).message };
  }
}

describe('changeDecision: the scale-only shortcut', () => {
  it('decides what the full path decides for every stored app and partial body', () => {
    let shortcuts = 0;
    fc.assert(
      fc.property(storedApp, body, fc.integer({ min: 0, max: 4 }), (app, b, running) => {
        const tasks = Array.from({ length: running }, (_, i) => aTask(APP, `web.${i}`).running()).flat();
        const state = stateAfter([draft('AppCreated', { app }), ...tasks]);
        const input = { ...b, id: APP };
        const now = T0 + 60_000;
        if (hasAppDefaults(app) && 'instances' in b && typeof b.instances === 'number' && Object.keys(b).length === 1) {
          shortcuts++;
        }
        expect(outcome(() => changeDecision(state, app, input, true, now))).toEqual(
          outcome(() => changeDecisionInFull(state, app, input, true, now)),
        );
      }),
      { numRuns: 3_000 },
    );
    // The shortcut was taken (in a few percent of the runs), not only the full path compared with itself.
    expect(shortcuts).toBeGreaterThan(30);
  }, 30_000);

  it('takes the full path for a legacy app whose definition lacks a default (its config changes)', () => {
    const legacyApp = JSON.parse(JSON.stringify(definitionOf(APP))) as Record<string, unknown>;
    delete legacyApp.secrets;
    expect(hasAppDefaults(legacyApp)).toBe(false);
    const state = stateAfter([draft('AppCreated', { app: legacyApp as AppDefinition })]);
    const decision = changeDecision(state, legacyApp as AppDefinition, { id: APP, instances: 3 }, true, T0 + 1);
    expect(decision.events.map((e) => e.type)).toEqual(['AppUpdated']);
  });
});
