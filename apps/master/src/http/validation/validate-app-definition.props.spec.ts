import fc from 'fast-check';
import { APP_DEFINITION_FIELDS } from './dto/app-definition.dto';
import { AppValidationOptions, AppValidationResult, validateAppDefinition } from './validate-app-definition';

/**
 * Properties of the validator over generated bodies: arbitrary JSON, and app-like objects
 * whose known fields hold either arbitrary JSON or plausible, often nearly valid, values (so
 * the semantic rules run too, not only the type checks).
 */

const MODES: AppValidationOptions[] = [
  { mode: 'create' },
  { mode: 'update', pathId: '/prod/web', partial: true },
  { mode: 'update', pathId: 'prod/web', partial: false },
];

const anyJson = fc.jsonValue({ maxDepth: 3 });
const smallInt = fc.integer({ min: -2, max: 4 });
const port = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.constant(70000));
const portName = fc.constantFrom('api', 'http', 'Bad_Name', 'default');

const plausible: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.constantFrom('/web', 'web', '/prod/web', '/', '/a/restart', '/Web', 'a/../b', ''),
  cmd: fc.constantFrom('sleep 1', '', 'x'),
  args: fc.array(fc.constantFrom('sleep', '1'), { maxLength: 2 }),
  cpus: fc.constantFrom(0, 0.001, 0.5, -1, 2),
  mem: fc.constantFrom(0, 16, -1),
  instances: fc.constantFrom(0, 1, 2, 1.5, -1, 2 ** 31),
  portDefinitions: fc.array(
    fc.record({ port, name: portName, protocol: fc.constantFrom('tcp', 'udp', 'icmp') }, { requiredKeys: [] }),
    {
      maxLength: 3,
    },
  ),
  ports: fc.array(port, { maxLength: 3 }),
  healthChecks: fc.array(
    fc.record(
      {
        protocol: fc.constantFrom('HTTP', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_TCP', 'PING'),
        portIndex: smallInt,
        port,
        command: fc.record({ value: fc.string() }, { requiredKeys: [] }),
        ipProtocol: fc.constantFrom('IPv4', 'IPv6'),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
  readinessChecks: fc.array(
    fc.record({ portName, intervalSeconds: smallInt, timeoutSeconds: smallInt }, { requiredKeys: [] }),
    { maxLength: 2 },
  ),
  container: fc.record(
    {
      type: fc.constantFrom('DOCKER', 'MESOS', 'RKT'),
      docker: fc.record(
        {
          image: fc.constantFrom('nginx', ''),
          network: fc.constantFrom('BRIDGE', 'HOST', 'USER'),
          portMappings: fc.array(fc.record({ containerPort: port, name: portName }, { requiredKeys: [] }), {
            maxLength: 2,
          }),
          pullConfig: fc.record({ secret: fc.constantFrom('s', '') }),
        },
        { requiredKeys: [] },
      ),
      portMappings: fc.array(fc.record({ containerPort: port, name: portName }, { requiredKeys: [] }), {
        maxLength: 2,
      }),
    },
    { requiredKeys: [] },
  ),
  networks: fc.array(
    fc.record({ mode: fc.constantFrom('host', 'container', 'container/bridge') }, { requiredKeys: [] }),
    {
      maxLength: 2,
    },
  ),
  constraints: fc.array(
    fc.array(fc.constantFrom('hostname', 'UNIQUE', 'like', 'MAX_PER', 'IS', '1', '[', ''), { maxLength: 4 }),
    {
      maxLength: 3,
    },
  ),
  env: fc.dictionary(
    fc.constantFrom('A', 'PW'),
    fc.oneof(fc.string(), fc.record({ secret: fc.constantFrom('s', 't') })),
  ),
  secrets: fc.dictionary(fc.constantFrom('s', 'u'), fc.record({ source: fc.constantFrom('/x', '') })),
  labels: fc.dictionary(fc.constantFrom('MARATHON_SINGLE_INSTANCE_APP', 'team'), fc.constantFrom('true', 'x')),
  upgradeStrategy: fc.record(
    { minimumHealthCapacity: fc.constantFrom(0, 0.5, 1, 1.5), maximumOverCapacity: fc.constantFrom(0, 1, -1) },
    { requiredKeys: [] },
  ),
  unreachableStrategy: fc.oneof(
    fc.constantFrom('disabled', 'never'),
    fc.record({ inactiveAfterSeconds: smallInt, expungeAfterSeconds: smallInt }, { requiredKeys: [] }),
  ),
  uris: fc.array(fc.constantFrom('http://a/x', 'http://a/x y', ''), { maxLength: 2 }),
  fetch: fc.array(fc.record({ uri: fc.constantFrom('http://a/y', '') }, { requiredKeys: [] }), { maxLength: 2 }),
  dependencies: fc.array(fc.constantFrom('db', '../x', '/', '/a/tasks', 'Bad'), { maxLength: 2 }),
  acceptedResourceRoles: fc.array(fc.constantFrom('*', 'slave_public'), { maxLength: 2 }),
  residency: fc.record({ taskLostBehavior: fc.constantFrom('WAIT_FOREVER') }, { requiredKeys: [] }),
  version: fc.constantFrom('2024-01-01T00:00:00.000Z', 'yesterday'),
};

const appLike = fc.record(
  Object.fromEntries(
    [...APP_DEFINITION_FIELDS, 'x-unknown', 'tasksRunning'].map((field) => [
      field,
      plausible[field]
        ? fc.oneof({ weight: 4, arbitrary: plausible[field] }, { weight: 1, arbitrary: anyJson })
        : anyJson,
    ]),
  ),
  { requiredKeys: [] },
);

/** Apps that are valid field by field: only cross-field rules (and few of them) can fail. */
const validish: Record<string, fc.Arbitrary<unknown>> = {
  cpus: fc.constantFrom(0.001, 0.5, 2),
  mem: fc.constantFrom(0, 16),
  instances: fc.constantFrom(0, 1, 2),
  portDefinitions: fc.array(
    fc.record({ port: fc.integer({ min: 0, max: 3 }), name: fc.constantFrom('api', 'http') }, { requiredKeys: [] }),
    {
      maxLength: 2,
    },
  ),
  healthChecks: fc.array(
    fc.record(
      {
        protocol: fc.constantFrom('HTTP', 'TCP', 'COMMAND', 'MESOS_HTTP'),
        portIndex: fc.integer({ min: 0, max: 1 }),
        command: fc.constant({ value: 'true' }),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 2 },
  ),
  readinessChecks: fc.constant([{ portName: 'default', intervalSeconds: 30, timeoutSeconds: 10 }]),
  container: fc.record(
    {
      type: fc.constantFrom('DOCKER', 'MESOS'),
      docker: fc.record(
        { image: fc.constant('nginx'), network: fc.constantFrom('BRIDGE', 'HOST') },
        { requiredKeys: ['image'] },
      ),
    },
    { requiredKeys: [] },
  ),
  networks: fc.constantFrom([{ mode: 'host' }], [{ mode: 'container/bridge' }]),
  constraints: fc.array(
    fc.constantFrom(
      ['hostname', 'UNIQUE'],
      ['rack', 'GROUP_BY', '3'],
      ['a', 'LIKE', 'x.*'],
      ['a', 'MAX_PER', '2'],
      ['os', 'IS', 'linux'],
    ),
    { maxLength: 3 },
  ),
  env: fc.constantFrom({ A: 'x' }, { PW: { secret: 's' } }),
  secrets: fc.constant({ s: { source: '/x' } }),
  labels: fc.constantFrom({ team: 'x' }, { MARATHON_SINGLE_INSTANCE_APP: 'true' }),
  upgradeStrategy: fc.record({
    minimumHealthCapacity: fc.double({ min: 0, max: 1, noNaN: true }),
    maximumOverCapacity: fc.constantFrom(0, 1),
  }),
  unreachableStrategy: fc.oneof(
    fc.constant('disabled'),
    fc.record({
      inactiveAfterSeconds: fc.integer({ min: 0, max: 2 }),
      expungeAfterSeconds: fc.integer({ min: 0, max: 2 }),
    }),
  ),
  fetch: fc.constant([{ uri: 'http://a/y' }]),
  uris: fc.constant(['http://a/x']),
  dependencies: fc.array(fc.constantFrom('db', '../x', '/', '/abs/db'), { maxLength: 2 }),
  acceptedResourceRoles: fc.constant(['*']),
  'x-unknown': anyJson,
  tasksRunning: smallInt,
  version: fc.constant('2024-01-01T00:00:00.000Z'),
};

const nearlyValidApp = fc
  .tuple(
    fc.constantFrom('/web', 'web', '/prod/web/', 'a/../b'),
    fc
      .subarray(Object.keys(validish), { maxLength: 4 })
      .chain((fields) => fc.record(Object.fromEntries(fields.map((field) => [field, validish[field]])))),
  )
  .map(([id, fields]) => ({ id, cmd: 'sleep 1', ...fields }));

const body = fc.oneof(
  { weight: 1, arbitrary: anyJson },
  { weight: 2, arbitrary: appLike },
  { weight: 2, arbitrary: nearlyValidApp },
);
const mode = fc.constantFrom(...MODES);

/** Marathon's rendering starts at the object itself (member names may hold any character). */
const MARATHON_PATH = /^\//;

function isWellFormed(result: AppValidationResult): boolean {
  if (result.ok) return typeof result.app === 'object' && result.app !== null && typeof result.app.id === 'string';
  return (
    typeof result.message === 'string' &&
    result.details.length > 0 &&
    result.details.every(
      (detail) =>
        MARATHON_PATH.test(detail.path) &&
        detail.errors.length > 0 &&
        detail.errors.every((error) => typeof error === 'string' && error.length > 0),
    )
  );
}

describe('validateAppDefinition properties', () => {
  it('never throws: any JSON body is either accepted or answered with a details list in Marathon paths', () => {
    fc.assert(
      fc.property(body, mode, (candidate, options) => {
        expect(isWellFormed(validateAppDefinition(candidate, options))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('an accepted app is accepted again, unchanged (normalisation is idempotent)', () => {
    let acceptedCount = 0;
    fc.assert(
      fc.property(nearlyValidApp, (candidate) => {
        const first = validateAppDefinition(candidate, { mode: 'create' });
        if (!first.ok) return;
        acceptedCount += 1;
        // Again: the same app, with nothing left to ignore.
        expect(validateAppDefinition(first.app, { mode: 'create' })).toEqual({ ...first, ignoredFields: [] });
      }),
      { numRuns: 500 },
    );
    // Most nearly valid apps are accepted, so the property is not vacuous.
    expect(acceptedCount).toBeGreaterThan(100);
  });

  it('an accepted update is always for the path’s app', () => {
    fc.assert(
      fc.property(fc.oneof(appLike, nearlyValidApp), fc.boolean(), (candidate, partial) => {
        const result = validateAppDefinition(candidate, { mode: 'update', pathId: 'prod/web/', partial });
        if (result.ok) expect(result.app.id).toBe('/prod/web');
      }),
      { numRuns: 500 },
    );
  });

  it('validation never changes the body it is given', () => {
    fc.assert(
      fc.property(body, mode, (candidate, options) => {
        const before = structuredClone(candidate);
        validateAppDefinition(candidate, options);
        expect(candidate).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});
