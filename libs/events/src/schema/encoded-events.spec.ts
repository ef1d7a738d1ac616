import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc, { JsonValue } from 'fast-check';
import { CairnEvent, catalogue, EventType, eventTypes } from '../catalogue';
import { encodeEvent } from '../codec';
import { EVENT_DOCS } from './event-docs';
import { eventZodSchema, schemaFileName, schemaId } from './event-json-schema';
import { INDEX_FILE } from './generate-json-schemas';

/**
 * Real encoded events checked with ajv against the committed JSON Schemas in docs/events (what an
 * integrator validates with), not with zod. json-schemas.spec.ts keeps those files equal to the code.
 */
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const SCHEMA_DIR = join(REPO_ROOT, 'docs', 'events');
const FIXTURE_DIR = join(__dirname, '..', '..', 'test-fixtures');

type Json = JsonValue;
type Envelope = { type: EventType; v: number } & Record<string, Json>;

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const currentFixtures: Envelope[] = readdirSync(join(FIXTURE_DIR, 'events'))
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => readJson(join(FIXTURE_DIR, 'events', name)));
const appScaledV1: Envelope = readJson(join(FIXTURE_DIR, 'app-scaled.v1.json'));

const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
for (const name of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json'))) {
  ajv.addSchema(readJson(join(SCHEMA_DIR, name)));
}
const index = readJson(join(SCHEMA_DIR, INDEX_FILE)) as { events: { type: string; v: number; ceType: string }[] };

/** ajv's verdict on `value` against the committed schema of (type, v), with its errors when it says no. */
function ajvCheck(type: EventType, v: number, value: unknown): { valid: boolean; errors: unknown } {
  const validate = ajv.getSchema(schemaId(type, v));
  if (!validate) throw new Error(`docs/events has no ${schemaFileName(type, v)}`);
  const valid = validate(value) as boolean;
  return { valid, errors: valid ? null : validate.errors };
}

function decodedValue(event: Envelope) {
  const record = encodeEvent(event as unknown as CairnEvent);
  return { record, value: JSON.parse(record.value.toString('utf8')) };
}

function valueAtPath(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, field) => (node as Record<string, unknown>)[field], root);
}

describe('encoded events against the committed JSON Schemas (ajv)', () => {
  it('there is a fixture for every type at its current version', () => {
    const have = currentFixtures.map((e) => `${e.type}.v${e.v}`).sort();
    expect(have).toEqual(eventTypes.map((type) => `${type}.v${catalogue[type].current}`).sort());
  });

  it.each(currentFixtures.map((e) => [`${e.type} v${e.v}`, e] as const))(
    '%s encodes to a record its schema accepts',
    (_, event) => {
      const { record, value } = decodedValue(event);
      expect(ajvCheck(event.type, event.v, value)).toEqual({ valid: true, errors: null });
      expect(record.headers?.ce_type).toBe(index.events.find((e) => e.type === event.type && e.v === event.v)?.ceType);
      const key = EVENT_DOCS[event.type].key;
      expect(record.key).toBe('path' in key ? valueAtPath(value, key.path) : key.constant);
    },
  );

  it('keeps unknown app fields, and the schema accepts them', () => {
    const created = structuredClone(currentFixtures.find((e) => e.type === 'AppCreated')!);
    const app = (created.data as { app: Record<string, Json> }).app;
    app.container = { type: 'DOCKER', docker: { image: 'nginx:1.27' } };
    app.taskKillGracePeriodSeconds = 30;
    const { value } = decodedValue(created);
    expect(value.data.app.container).toEqual({ type: 'DOCKER', docker: { image: 'nginx:1.27' } });
    expect(ajvCheck('AppCreated', 1, value).valid).toBe(true);
  });

  it('an AppScaled v1 record, as an older release wrote it, passes v1 and not v2', () => {
    expect(ajvCheck('AppScaled', 1, appScaledV1).valid).toBe(true);
    expect(ajvCheck('AppScaled', 2, appScaledV1).valid).toBe(false);
  });

  it.each([
    ['a negative cpus', ['data', 'app', 'cpus'], -1],
    ['a relative app id', ['data', 'app', 'id'], 'prod/web'],
    ['an unknown killSelection', ['data', 'app', 'killSelection'], 'RANDOM'],
    ['a fractional instance count', ['data', 'app', 'instances'], 1.5],
    ['a time without an offset', ['at'], '2026-01-01T00:00:01'],
    ['an id that is not a uuid', ['id'], 'not-a-uuid'],
    ['another type', ['type'], 'AppUpdated'],
    ['another version', ['v'], 2],
  ])('the schema refuses %s', (_, path, replacement) => {
    const created = currentFixtures.find((e) => e.type === 'AppCreated')!;
    expect(ajvCheck('AppCreated', 1, setAt(created, path as string[], replacement)).valid).toBe(false);
  });
});

/** Mutations of the fixtures: a value replaced (often with a near miss), a field removed, a field added. */
const NEAR_MISSES: Json[] = [-1, 0, 0.5, 1, 1.5, 65536, 2 ** 53, '', '/', '/x', 'x', '2026-01-01T00:00:00Z'];
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    value: fc.oneof(fc.constantFrom(...NEAR_MISSES), fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({
    kind: fc.constant('add' as const),
    key: fc.string({ maxLength: 8 }),
    value: fc.jsonValue({ maxDepth: 1 }),
  }),
);
const mutated = (fixtures: Envelope[], { dataOnly }: { dataOnly: boolean }) =>
  fc.tuple(fc.constantFrom(...fixtures), fc.nat(), mutation).map(([fixture, pick, m]) => {
    const targets = pathsOf(fixture).filter(
      (p) => !dataOnly || (p[0] === 'data' && (m.kind !== 'add' || p.length > 1)),
    );
    const path = targets[pick % targets.length];
    const candidate = applyMutation(fixture, path, m) as Envelope;
    return { fixture, candidate: JSON.parse(JSON.stringify(candidate)) as Envelope };
  });

describe('the JSON Schemas agree with the codec (fast-check)', () => {
  it('every event the codec writes passes its JSON Schema', () => {
    fc.assert(
      fc.property(mutated(currentFixtures, { dataOnly: false }), ({ candidate }) => {
        fc.pre(!JSON.stringify(candidate).includes('"__proto__"'));
        let value: unknown;
        try {
          value = decodedValue(candidate).value;
        } catch {
          return; // refused by the codec: nothing written, nothing to check
        }
        expect(ajvCheck(candidate.type, candidate.v, value)).toEqual({ valid: true, errors: null });
      }),
      { numRuns: 400 },
    );
  });

  it('the JSON Schema accepts nothing the zod schema refuses', () => {
    fc.assert(
      fc.property(mutated([...currentFixtures, appScaledV1], { dataOnly: false }), ({ fixture, candidate }) => {
        fc.pre(!JSON.stringify(candidate).includes('"__proto__"'));
        if (!ajvCheck(fixture.type, fixture.v, candidate).valid) return;
        const zod = eventZodSchema(fixture.type, fixture.v).safeParse(candidate);
        expect(zod.success ? 'zod accepts' : zod.error.issues).toBe('zod accepts');
      }),
      { numRuns: 400 },
    );
  });
});

function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = (Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)) as [
    string | number,
    Json,
  ][];
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

function setAt(root: Envelope, path: (string | number)[], replacement: Json): Json {
  return applyMutation(root, path, { kind: 'replace', value: replacement });
}

type Mutation = { kind: 'replace'; value: Json } | { kind: 'delete' } | { kind: 'add'; key: string; value: Json };

function applyMutation(root: Envelope, path: (string | number)[], m: Mutation): Json {
  const copy = structuredClone(root) as Record<string | number, Json>;
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, Json>>((node, key) => node[key] as Record<string, Json>, copy);
  const last = path[path.length - 1];
  if (m.kind === 'replace') parent[last] = m.value;
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    // Adds the key beside the picked field, i.e. to the object that holds it.
    if (!Array.isArray(parent)) parent[m.key] = m.value;
  }
  return copy as Json;
}
