import { AppIdMessages } from './app-id';
import { RuleMessages } from './rules/rule-messages';
import { validateAppDefinition } from './validate-app-definition';
import { INVALID_JSON_MESSAGE, OBJECT_NOT_VALID_MESSAGE, ValidationDetail } from './validation-details';

/** Invalid bodies and exactly what Marathon (and so Cairn) answers for each. */

const CREATE = { mode: 'create' } as const;
const SIMPLE = { id: '/web', cmd: 'sleep 100' };

function expectInvalid(body: unknown, message: string, details: ValidationDetail[]): void {
  expect(validateAppDefinition(body, CREATE)).toEqual({ ok: false, message, details });
}

describe('validateAppDefinition: invalid bodies', () => {
  // The parse layer: types, bounds, patterns, enum literals (play-json keys, message "Invalid JSON").
  const parseCases: { name: string; body: Record<string, unknown>; details: ValidationDetail[] }[] = [
    {
      name: 'cpus 0 is below the RAML minimum',
      body: { ...SIMPLE, cpus: 0 },
      details: [{ path: '/cpus', errors: ['error.min'] }],
    },
    {
      name: 'cpus as a string',
      body: { ...SIMPLE, cpus: '1' },
      details: [{ path: '/cpus', errors: ['error.expected.jsnumber'] }],
    },
    { name: 'negative mem', body: { ...SIMPLE, mem: -1 }, details: [{ path: '/mem', errors: ['error.min'] }] },
    {
      name: 'fractional instances',
      body: { ...SIMPLE, instances: 1.5 },
      details: [{ path: '/instances', errors: ['error.expected.int'] }],
    },
    {
      name: 'instances beyond a 32-bit int',
      body: { ...SIMPLE, instances: 2 ** 31 },
      details: [{ path: '/instances', errors: ['error.expected.int'] }],
    },
    {
      name: 'negative instances',
      body: { ...SIMPLE, instances: -1 },
      details: [{ path: '/instances', errors: ['error.min'] }],
    },
    {
      name: 'backoffFactor below 1',
      body: { ...SIMPLE, backoffFactor: 0.5 },
      details: [{ path: '/backoffFactor', errors: ['error.min'] }],
    },
    {
      name: 'minimumHealthCapacity above 1',
      body: { ...SIMPLE, upgradeStrategy: { minimumHealthCapacity: 1.5 } },
      details: [{ path: '/upgradeStrategy/minimumHealthCapacity', errors: ['error.max'] }],
    },
    {
      name: 'unknown killSelection',
      body: { ...SIMPLE, killSelection: 'RANDOM' },
      details: [{ path: '/killSelection', errors: ['error.unknown.enum.literal'] }],
    },
    { name: 'empty cmd', body: { id: '/web', cmd: '' }, details: [{ path: '/cmd', errors: ['error.minLength'] }] },
    {
      name: 'an id with capitals',
      body: { ...SIMPLE, id: '/Web' },
      details: [{ path: '/id', errors: ['error.pattern'] }],
    },
    {
      name: 'an id that is not a string',
      body: { ...SIMPLE, id: 7 },
      details: [{ path: '/id', errors: ['error.expected.jsstring'] }],
    },
    { name: 'no id on create', body: { cmd: 'sleep 1' }, details: [{ path: '/id', errors: ['error.path.missing'] }] },
    {
      name: 'a number among args',
      body: { id: '/web', args: ['sleep', 3] },
      details: [{ path: '/args(1)', errors: ['error.expected.jsstring'] }],
    },
    {
      name: 'an env value that is a number',
      body: { ...SIMPLE, env: { FOO: 1 } },
      details: [{ path: '/env/FOO', errors: ['error.expected.jsstring'] }],
    },
    {
      name: 'an env secret reference without a name',
      body: { ...SIMPLE, env: { FOO: {} } },
      details: [{ path: '/env/FOO/secret', errors: ['error.path.missing'] }],
    },
    {
      name: 'a label value that is not a string',
      body: { ...SIMPLE, labels: { a: true } },
      details: [{ path: '/labels/a', errors: ['error.expected.jsstring'] }],
    },
    {
      name: 'a docker container without image',
      body: { ...SIMPLE, container: { type: 'DOCKER', docker: {} } },
      details: [{ path: '/container/docker/image', errors: ['error.path.missing'] }],
    },
    {
      name: 'a fetch entry without uri',
      body: { ...SIMPLE, fetch: [{ cache: true }] },
      details: [{ path: '/fetch(0)/uri', errors: ['error.path.missing'] }],
    },
    {
      name: 'a port above 65535',
      body: { ...SIMPLE, portDefinitions: [{ port: 0 }, { port: 70000 }] },
      details: [{ path: '/portDefinitions(1)/port', errors: ['error.max'] }],
    },
    {
      name: 'a health check that is not an object, next to one with bad members',
      body: { ...SIMPLE, healthChecks: [1, { portIndex: 'a', protocol: 'PING' }] },
      details: [
        { path: '/healthChecks(0)', errors: ['error.expected.jsobject'] },
        { path: '/healthChecks(1)/portIndex', errors: ['error.expected.jsnumber'] },
        { path: '/healthChecks(1)/protocol', errors: ['error.unknown.enum.literal'] },
      ],
    },
    {
      name: 'a health check list nested one level too deep',
      body: { ...SIMPLE, healthChecks: [[{ protocol: 'TCP' }]] },
      details: [{ path: '/healthChecks(0)', errors: ['error.expected.jsobject'] }],
    },
    {
      name: 'a constraint that is not a list',
      body: { ...SIMPLE, constraints: ['hostname'] },
      details: [{ path: '/constraints(0)', errors: ['error.expected.jsarray'] }],
    },
    {
      name: 'a constraint field that is not a string',
      body: { ...SIMPLE, constraints: [['hostname', 5]] },
      details: [{ path: '/constraints(0)(1)', errors: ['error.expected.jsstring'] }],
    },
    {
      name: 'an unknown unreachableStrategy literal',
      body: { ...SIMPLE, unreachableStrategy: 'never' },
      details: [{ path: '/unreachableStrategy', errors: ['error.unknown.enum.literal'] }],
    },
    {
      name: 'a version that is not a date',
      body: { ...SIMPLE, version: 'yesterday' },
      details: [{ path: '/version', errors: ['error.expected.date.isoformat'] }],
    },
    {
      name: 'a network mode Marathon does not know',
      body: { ...SIMPLE, networks: [{ mode: 'bridge' }] },
      details: [{ path: '/networks(0)/mode', errors: ['error.unknown.enum.literal'] }],
    },
    {
      name: 'a readiness status code below 100',
      body: { ...SIMPLE, readinessChecks: [{ httpStatusCodesForReady: [99] }] },
      details: [{ path: '/readinessChecks(0)/httpStatusCodesForReady(0)', errors: ['error.min'] }],
    },
    {
      name: 'a container that is a string',
      body: { ...SIMPLE, container: 'docker' },
      details: [{ path: '/container', errors: ['error.expected.jsobject'] }],
    },
    {
      name: 'an executor outside its pattern',
      body: { ...SIMPLE, executor: 'a//b' },
      details: [{ path: '/executor', errors: ['error.pattern'] }],
    },
  ];

  it.each(parseCases)('$name', ({ body, details }) => expectInvalid(body, INVALID_JSON_MESSAGE, details));

  it('reports every parse error of a body at once', () => {
    const result = validateAppDefinition({ id: 'Web', cpus: 'x', mem: -1, instances: 1.5 }, CREATE);
    expect(result).toEqual({
      ok: false,
      message: INVALID_JSON_MESSAGE,
      details: [
        { path: '/id', errors: ['error.pattern'] },
        { path: '/cpus', errors: ['error.expected.jsnumber'] },
        { path: '/mem', errors: ['error.min'] },
        { path: '/instances', errors: ['error.expected.int'] },
      ],
    });
  });

  it('runs the semantic rules only once the parse layer passes (as Marathon does)', () => {
    const result = validateAppDefinition({ id: '/web', cmd: 'x', args: ['y'], cpus: 0 }, CREATE);
    expect(result).toEqual({
      ok: false,
      message: INVALID_JSON_MESSAGE,
      details: [{ path: '/cpus', errors: ['error.min'] }],
    });
  });

  // The semantic layer: Marathon's messages, message "Object is not valid".
  const ruleCases: { name: string; body: Record<string, unknown>; details: ValidationDetail[] }[] = [
    {
      name: 'neither cmd, args nor a container',
      body: { id: '/web' },
      details: [{ path: '/', errors: [RuleMessages.cmdArgsOrContainer] }],
    },
    {
      name: 'both cmd and args',
      body: { ...SIMPLE, args: ['sleep', '1'] },
      details: [{ path: '/', errors: [RuleMessages.cmdArgsOrContainer] }],
    },
    {
      name: 'a DOCKER container without its docker object',
      body: { id: '/web', container: { type: 'DOCKER' } },
      details: [
        { path: '/', errors: [RuleMessages.cmdArgsOrContainer] },
        { path: '/container/docker', errors: ['not defined'] },
      ],
    },
    {
      name: 'an id ending in a reserved word',
      body: { ...SIMPLE, id: '/web/restart' },
      details: [{ path: '/id', errors: [AppIdMessages.reservedLastSegment] }],
    },
    {
      name: 'an id ending in ..',
      body: { ...SIMPLE, id: '/web/..' },
      details: [{ path: '/id', errors: [AppIdMessages.reservedLastSegment] }],
    },
    {
      name: 'the root as id',
      body: { ...SIMPLE, id: '/' },
      details: [
        { path: '/id', errors: [AppIdMessages.empty] },
        { path: '/', errors: [AppIdMessages.root] },
      ],
    },
    {
      name: 'a dependency ending in a reserved word',
      body: { ...SIMPLE, dependencies: ['/db/versions'] },
      details: [{ path: '/dependencies(0)', errors: [AppIdMessages.reservedLastSegment] }],
    },
    {
      name: 'ports and portDefinitions that differ',
      body: { ...SIMPLE, ports: [80], portDefinitions: [{ port: 81 }] },
      details: [{ path: '/', errors: [RuleMessages.portsAndPortDefinitions] }],
    },
    {
      name: 'a fixed legacy port twice',
      body: { ...SIMPLE, ports: [80, 80] },
      details: [{ path: '/', errors: [RuleMessages.legacyPortsUnique] }],
    },
    {
      name: 'a fixed port twice, with one name twice',
      body: {
        ...SIMPLE,
        portDefinitions: [
          { port: 80, name: 'http' },
          { port: 80, name: 'http' },
        ],
      },
      details: [{ path: '/portDefinitions', errors: ['Port names must be unique.', 'Ports must be unique.'] }],
    },
    {
      name: 'a port mapping name twice',
      body: {
        ...SIMPLE,
        networks: [{ mode: 'container/bridge' }],
        container: { docker: { image: 'x' }, portMappings: [{ name: 'a' }, { name: 'a' }] },
      },
      details: [{ path: '/container/portMappings', errors: [RuleMessages.portNamesUnique] }],
    },
    {
      name: 'portMappings in both places',
      body: {
        ...SIMPLE,
        container: {
          portMappings: [{ containerPort: 80 }],
          docker: { image: 'x', portMappings: [{ containerPort: 81 }] },
        },
      },
      details: [{ path: '/container', errors: [RuleMessages.bothPortMappings] }],
    },
    {
      name: 'portMappings with explicit host networking',
      body: {
        ...SIMPLE,
        networks: [{ mode: 'host' }],
        container: { docker: { image: 'x' }, portMappings: [{ containerPort: 80 }] },
      },
      details: [{ path: '/', errors: [RuleMessages.portMappingsWithHostNetworking] }],
    },
    {
      name: 'portDefinitions with container networking',
      body: { ...SIMPLE, networks: [{ mode: 'container', name: 'dcos' }], portDefinitions: [{ port: 0 }] },
      details: [{ path: '/', errors: [RuleMessages.portDefinitionsWithoutHostNetworking] }],
    },
    {
      name: 'a health check port index beyond the ports',
      body: { ...SIMPLE, portDefinitions: [{ port: 0 }], healthChecks: [{ protocol: 'HTTP', portIndex: 1 }] },
      details: [{ path: '/healthChecks(0)', errors: [RuleMessages.healthCheckPortIndex] }],
    },
    {
      name: 'an HTTP health check on an app without ports',
      body: { ...SIMPLE, portDefinitions: [], healthChecks: [{ protocol: 'HTTP' }] },
      details: [{ path: '/healthChecks(0)', errors: [RuleMessages.healthCheckPortIndex] }],
    },
    {
      name: 'a COMMAND health check without a command',
      body: { ...SIMPLE, healthChecks: [{ protocol: 'COMMAND' }] },
      details: [{ path: '/healthChecks(0)', errors: [RuleMessages.commandHealthCheckNeedsCommand] }],
    },
    {
      name: 'two Mesos HTTP health checks',
      body: { ...SIMPLE, healthChecks: [{ protocol: 'MESOS_HTTP' }, { protocol: 'MESOS_TCP' }] },
      details: [{ path: '/', errors: [RuleMessages.oneMesosHealthCheck] }],
    },
    {
      name: 'an IPv6 Marathon health check',
      body: { ...SIMPLE, healthChecks: [{ protocol: 'HTTP', ipProtocol: 'IPv6' }] },
      details: [{ path: '/healthChecks(0)', errors: [RuleMessages.healthCheckIpv6] }],
    },
    {
      name: 'a readiness timeout not below its interval',
      body: {
        ...SIMPLE,
        portDefinitions: [{ name: 'api' }],
        readinessChecks: [{ portName: 'api', intervalSeconds: 30, timeoutSeconds: 30 }],
      },
      details: [{ path: '/readinessChecks(0)/timeoutSeconds', errors: ['got 30, expected less than 30'] }],
    },
    {
      name: 'a readiness check on a port name the app does not have',
      body: { ...SIMPLE, portDefinitions: [{ name: 'api' }], readinessChecks: [{ portName: 'web' }] },
      details: [{ path: '/readinessChecks(0)/portName', errors: ['No port definition reference for portName web'] }],
    },
    {
      name: 'two readiness checks',
      body: { ...SIMPLE, readinessChecks: [{ portName: 'default' }, { portName: 'default' }] },
      details: [{ path: '/readinessChecks', errors: ['got 2, expected 1 or less'] }],
    },
    {
      name: 'uris together with fetch',
      body: { ...SIMPLE, uris: ['http://a/x'], fetch: [{ uri: 'http://a/y' }] },
      details: [{ path: '/uris', errors: [RuleMessages.urisWithFetch] }],
    },
    {
      name: 'a uri with a space',
      body: { ...SIMPLE, fetch: [{ uri: 'http://a/x y' }] },
      details: [{ path: '/fetch(0)/uri', errors: [RuleMessages.uriSyntax] }],
    },
    {
      name: 'inactiveAfterSeconds above expungeAfterSeconds',
      body: { ...SIMPLE, unreachableStrategy: { inactiveAfterSeconds: 600, expungeAfterSeconds: 300 } },
      details: [
        {
          path: '/unreachableStrategy/inactiveAfterSeconds',
          errors: ['inactiveAfterSeconds (600) must be less or equal to expungeAfterSeconds, which is 300'],
        },
      ],
    },
    {
      name: 'two instances of a single-instance app',
      body: { ...SIMPLE, instances: 2, labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' } },
      details: [{ path: '/', errors: [RuleMessages.singleInstance] }],
    },
    {
      name: 'an env entry naming an undeclared secret',
      body: { ...SIMPLE, env: { PW: { secret: 'pw' } } },
      details: [{ path: '/env/PW/secret', errors: [RuleMessages.undefinedSecret] }],
    },
    {
      name: 'an empty acceptedResourceRoles',
      body: { ...SIMPLE, acceptedResourceRoles: [] },
      details: [{ path: '/acceptedResourceRoles', errors: ['must not be empty'] }],
    },
    {
      name: 'constraints with a bad count and a bad operator',
      body: { ...SIMPLE, constraints: [['hostname'], ['hostname', 'NEAR']] },
      details: [
        { path: '/constraints(0)', errors: [RuleMessages.constraintFields] },
        { path: '/constraints(1)', errors: [RuleMessages.constraintOperator] },
      ],
    },
  ];

  it.each(ruleCases)('$name', ({ body, details }) => expectInvalid(body, OBJECT_NOT_VALID_MESSAGE, details));
});
