import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { withAppDefaults } from '@cairn/domain';
import { AppIdMessages } from './app-id';
import { APP_DEFINITION_FIELDS, AppDefinitionDto } from './dto/app-definition.dto';
import { JsonBodyProblems, MAX_BODY_DEPTH } from './json-body';
import { JsonError } from './json-shape';
import { IdMessages } from './rules/app-id.rules';
import { RuleMessages } from './rules/rule-messages';
import { AppValidationOptions, validateAppDefinition, validatePathId } from './validate-app-definition';
import { INVALID_JSON_MESSAGE, OBJECT_NOT_VALID_MESSAGE, ValidationDetail } from './validation-details';

const FIXTURES = join(__dirname, '../../../../../test/fixtures');
const marathonExample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, 'marathon', `${name}.json`), 'utf8'));

const CREATE: AppValidationOptions = { mode: 'create' };
const SIMPLE = { id: '/web', cmd: 'sleep 100' };

function expectInvalid(body: unknown, message: string, details: ValidationDetail[], options = CREATE): void {
  expect(validateAppDefinition(body, options)).toEqual({ ok: false, message, details });
}

function accepted(body: unknown, options = CREATE): Record<string, unknown> {
  const result = validateAppDefinition(body, options);
  if (!result.ok) throw new Error(`expected the body to be accepted: ${JSON.stringify(result)}`);
  return result.app;
}

describe('validateAppDefinition: Marathon reference examples', () => {
  it.each([
    'app-simple',
    'pinger-localhost-app',
    'readiness-and-health-app',
    'docker-http-server',
    'app-check-http-example',
  ])('%s is accepted', (name) => {
    const example = marathonExample(name);
    const app = accepted(example);
    expect(app.id).toBe(`/${String(example.id).replace(/^\//, '')}`);
    expect({ ...app, id: example.id }).toEqual(example);
  });

  it('app.json sets both cmd and args and gets Marathon’s message at the object itself', () => {
    const result = validateAppDefinition(marathonExample('app'), CREATE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(OBJECT_NOT_VALID_MESSAGE);
    expect(result.details).toContainEqual({
      path: '/',
      errors: ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."],
    });
  });

  it("every accepted example is still accepted once the domain has filled Marathon's defaults", () => {
    for (const name of [
      'app-simple',
      'pinger-localhost-app',
      'readiness-and-health-app',
      'app-check-http-example',
      'docker-http-server', // its legacy docker.network BRIDGE becomes networks [container/bridge]
    ]) {
      const app = accepted(marathonExample(name));
      const stored = withAppDefaults(app, '2024-01-01T00:00:00.000Z', {
        lastScalingAt: '2024-01-01T00:00:00.000Z',
        lastConfigChangeAt: '2024-01-01T00:00:00.000Z',
      });
      expect(validateAppDefinition(stored, CREATE)).toEqual({ ok: true, app: expect.anything(), ignoredFields: [] });
    }
  });
});

describe('validateAppDefinition: Cairn end-to-end app fixtures', () => {
  const dir = join(FIXTURES, 'apps');
  const names = readdirSync(dir).filter((name) => name.endsWith('.json'));

  it.each(names)('%s is accepted', (name) => {
    expect(validateAppDefinition(JSON.parse(readFileSync(join(dir, name), 'utf8')), CREATE).ok).toBe(true);
  });
});

describe('validateAppDefinition: what an accepted app looks like', () => {
  it('resolves a relative id against the root group and drops a trailing slash', () => {
    expect(accepted({ ...SIMPLE, id: 'dev/api/' }).id).toBe('/dev/api');
  });

  it('resolves relative dependencies against the app’s group', () => {
    const app = accepted({ ...SIMPLE, id: '/prod/web', dependencies: ['db', '../ops/log', '/abs/x'] });
    expect(app.dependencies).toEqual(['/prod/db', '/ops/log', '/abs/x']);
  });

  it('drops unknown top-level fields, as Marathon’s readers do, and names them', () => {
    const extra = { nested: { list: [1, 'two', null, true] }, owner: 'me' };
    const result = validateAppDefinition({ ...SIMPLE, 'x-extra': extra, futureFlag: null }, CREATE);
    expect(result).toEqual({ ok: true, app: SIMPLE, ignoredFields: ['x-extra', 'futureFlag'] });
  });

  it('treats null in a known field as "not given" and drops it', () => {
    expect(accepted({ ...SIMPLE, cpus: null, env: null })).toEqual(SIMPLE);
  });

  it('drops server-owned and GET-only fields a client may send back', () => {
    const app = accepted({
      ...SIMPLE,
      version: '2024-01-01T00:00:00.000Z',
      versionInfo: { lastScalingAt: '2024-01-01T00:00:00.000Z', lastConfigChangeAt: '2024-01-01T00:00:00.000Z' },
      tasksRunning: 2,
      tasks: [],
      deployments: [{ id: 'x' }],
    });
    expect(app).toEqual(SIMPLE);
  });

  it('returns a copy: the caller’s body is not changed, nor shared', () => {
    const body = { id: 'web', cmd: 'sleep 1', labels: { a: 'b' } };
    const app = accepted(body);
    expect(body).toEqual({ id: 'web', cmd: 'sleep 1', labels: { a: 'b' } });
    expect(app.labels).not.toBe(body.labels);
  });

  it('accepts a container app without cmd or args', () => {
    expect(accepted({ id: '/nginx', container: { type: 'DOCKER', docker: { image: 'nginx' } } }).id).toBe('/nginx');
  });

  it('accepts ports and portDefinitions together when they say the same thing', () => {
    expect(accepted({ ...SIMPLE, ports: [80, 0], portDefinitions: [{ port: 80 }, { port: 0 }] }).ports).toEqual([
      80, 0,
    ]);
  });

  it('accepts several random (0) ports and unnamed ports', () => {
    expect(validateAppDefinition({ ...SIMPLE, portDefinitions: [{ port: 0 }, { port: 0 }] }, CREATE).ok).toBe(true);
  });

  it('accepts every constraint operator in any letter case', () => {
    const constraints = [
      ['hostname', 'unique'],
      ['rack', 'Group_By', '3'],
      ['os', 'IS', 'linux-5.4'],
    ];
    expect(validateAppDefinition({ ...SIMPLE, constraints }, CREATE).ok).toBe(true);
  });
});

describe('validateAppDefinition: bodies that are not app objects', () => {
  it.each([
    ['an array', []],
    ['a string', 'app'],
    ['null', null],
    ['a number', 42],
    ['undefined', undefined],
  ])('%s is refused as not a JSON object', (_name, body) => {
    expectInvalid(body, INVALID_JSON_MESSAGE, [{ path: '/', errors: [JsonError.object] }]);
  });

  it(`refuses nesting deeper than ${MAX_BODY_DEPTH} levels without overflowing the stack`, () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expectInvalid({ ...SIMPLE, deep }, INVALID_JSON_MESSAGE, [{ path: '/', errors: [JsonBodyProblems.tooDeep] }]);
  });

  it('refuses a "__proto__" key anywhere', () => {
    const body = JSON.parse('{"id":"/web","cmd":"x","labels":{"__proto__":{"polluted":"yes"}}}');
    expectInvalid(body, INVALID_JSON_MESSAGE, [{ path: '/', errors: [JsonBodyProblems.protoKey] }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values JSON cannot hold (a cycle, a function, NaN)', () => {
    const cyclic: Record<string, unknown> = { ...SIMPLE };
    cyclic.self = cyclic;
    for (const body of [cyclic, { ...SIMPLE, f: () => 1 }, { ...SIMPLE, cpus: NaN }]) {
      expectInvalid(body, INVALID_JSON_MESSAGE, [{ path: '/', errors: [JsonBodyProblems.notJson] }]);
    }
  });
});

describe('validateAppDefinition: updates (PUT /v2/apps/{id})', () => {
  const partial = (pathId: string): AppValidationOptions => ({ mode: 'update', pathId, partial: true });
  const full = (pathId: string): AppValidationOptions => ({ mode: 'update', pathId, partial: false });

  it('a partial update may carry only instances; the path id becomes the app id', () => {
    expect(accepted({ instances: 3 }, partial('prod/web/'))).toEqual({ id: '/prod/web', instances: 3 });
  });

  it('a partial update still judges the fields it carries', () => {
    expectInvalid(
      { instances: -1 },
      INVALID_JSON_MESSAGE,
      [{ path: '/instances', errors: ['error.min'] }],
      partial('/web'),
    );
    expectInvalid(
      { cmd: 'a', args: ['b'] },
      OBJECT_NOT_VALID_MESSAGE,
      [{ path: '/', errors: [RuleMessages.cmdArgsOrContainer] }],
      partial('/web'),
    );
  });

  it('a partial update is not judged on what it leaves out (ports for a health check, declared secrets)', () => {
    expect(validateAppDefinition({ healthChecks: [{ protocol: 'HTTP', portIndex: 3 }] }, partial('/web')).ok).toBe(
      true,
    );
    expect(validateAppDefinition({ env: { PW: { secret: 'pw' } } }, partial('/web')).ok).toBe(true);
  });

  it('a full update is a whole app: it must say how to run it', () => {
    expectInvalid(
      { instances: 3 },
      OBJECT_NOT_VALID_MESSAGE,
      [{ path: '/', errors: [RuleMessages.cmdArgsOrContainer] }],
      full('/web'),
    );
  });

  it('a body id may repeat the path id, in any equivalent form', () => {
    expect(accepted({ id: 'web/', cmd: 'x' }, full('/web')).id).toBe('/web');
  });

  it('a body id that names another app is refused', () => {
    expectInvalid(
      { id: '/other', cmd: 'x' },
      OBJECT_NOT_VALID_MESSAGE,
      [{ path: '/id', errors: [IdMessages.mismatch('/other', '/web')] }],
      full('/web'),
    );
  });

  it('an invalid path id is reported at /id', () => {
    expectInvalid(
      { instances: 1 },
      INVALID_JSON_MESSAGE,
      [{ path: '/id', errors: ['error.pattern'] }],
      partial('Prod'),
    );
    expectInvalid(
      { instances: 1 },
      OBJECT_NOT_VALID_MESSAGE,
      [{ path: '/id', errors: [AppIdMessages.reservedLastSegment] }],
      partial('/web/tasks'),
    );
  });

  it("version with another field is refused with Marathon's message", () => {
    expectInvalid(
      { version: '2024-01-01T00:00:00.000Z', instances: 2 },
      OBJECT_NOT_VALID_MESSAGE,
      [{ path: '/', errors: ["The 'version' field may only be combined with the 'id' field."] }],
      partial('/web'),
    );
  });

  it('version alone (or with id) asks for a rollback to that version', () => {
    for (const body of [{ version: '2024-01-01T00:00:00.000Z' }, { id: '/web', version: '2024-01-01T00:00:00.000Z' }]) {
      expect(validateAppDefinition(body, partial('/web'))).toEqual({
        ok: true,
        app: { id: '/web' },
        rollbackTo: '2024-01-01T00:00:00.000Z',
        ignoredFields: [],
      });
    }
  });

  it('a full update ignores version (Marathon drops it) and unknown fields do not count as "other fields"', () => {
    expect(accepted({ cmd: 'x', version: '2024-01-01T00:00:00.000Z' }, full('/web'))).toEqual({ id: '/web', cmd: 'x' });
    expect(
      validateAppDefinition({ version: '2024-01-01T00:00:00.000Z', tasksRunning: 3, 'x-note': 'y' }, partial('/web')),
    ).toMatchObject({ ok: true, rollbackTo: '2024-01-01T00:00:00.000Z' });
  });
});

describe('validatePathId', () => {
  it('normalises a valid id', () => {
    expect(validatePathId('prod//web/')).toEqual({ ok: true, id: '/prod/web' });
  });

  it('refuses an empty id, the root and a bad pattern', () => {
    expect(validatePathId('')).toEqual({
      ok: false,
      message: INVALID_JSON_MESSAGE,
      details: [{ path: '/id', errors: ['error.minLength'] }],
    });
    expect(validatePathId('/')).toEqual({
      ok: false,
      message: OBJECT_NOT_VALID_MESSAGE,
      details: [
        { path: '/id', errors: [AppIdMessages.empty] },
        { path: '/', errors: [AppIdMessages.root] },
      ],
    });
    expect(validatePathId('web_1')).toEqual({
      ok: false,
      message: INVALID_JSON_MESSAGE,
      details: [{ path: '/id', errors: ['error.pattern'] }],
    });
  });
});

describe('AppDefinitionDto', () => {
  it('APP_DEFINITION_FIELDS lists exactly the validated DTO properties', () => {
    const properties = getMetadataStorage()
      .getTargetValidationMetadatas(AppDefinitionDto, '', true, false)
      .map((metadata) => metadata.propertyName);
    expect(new Set(properties)).toEqual(APP_DEFINITION_FIELDS);
  });
});
