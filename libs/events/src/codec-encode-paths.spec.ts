import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CairnEvent } from './catalogue';
import { decodeRecord, encodeChecked, encodeCheckedByZod } from './codec';
import { encodeCheck, NOT_VOUCHED } from './encode-check';

/**
 * encodeChecked writes an event as it is when the compiled check vouches that zod would accept it
 * and give it back unchanged (encode-check.ts), and goes through zod otherwise. Both must give the
 * same records, the same events back and the same refusals, over real events and broken ones.
 */
const FIXTURE_DIR = join(__dirname, '..', 'test-fixtures');
const readJson = (path: string): CairnEvent => JSON.parse(readFileSync(path, 'utf8')) as CairnEvent;

const fixtures: CairnEvent[] = readdirSync(join(FIXTURE_DIR, 'events'))
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => readJson(join(FIXTURE_DIR, 'events', name)));
/** Older versions, decoded (upcast) as a reader holds them: with the `offset` a writer must not write. */
const upcast: CairnEvent[] = ['app-scaled.v1.json', 'task-launched.v1.json', 'task-launched.v2.json'].map((name, i) =>
  decodeRecord({ key: 'k', value: readFileSync(join(FIXTURE_DIR, name)), offset: i }),
);

/** What the sequencer writes most: a scale and the deployment it starts, apps shared with the state. */
function scaleAndDeployment(): CairnEvent[] {
  const created = fixtures.find((e) => e.type === 'AppCreated') as CairnEvent & { data: { app: { id: string } } };
  const started = fixtures.find((e) => e.type === 'DeploymentStarted')!;
  const original = created.data.app as Record<string, unknown> & { id: string; versionInfo: object };
  const target = {
    ...original,
    instances: 7,
    version: '2026-01-01T00:00:09.000Z',
    versionInfo: { ...original.versionInfo, lastScalingAt: '2026-01-01T00:00:09.000Z' },
  };
  const scaled = {
    ...fixtures.find((e) => e.type === 'AppScaled')!,
    data: { appId: original.id, instances: 7, lastScalingAt: '2026-01-01T00:00:09.000Z' },
  };
  const deployment = {
    ...started,
    data: {
      ...(started.data as object),
      affectedApps: [original.id],
      steps: [{ actions: [{ action: 'ScaleApplication', app: original.id }] }],
      original: { [original.id]: original },
      target: { [original.id]: target },
    },
  };
  return [scaled, deployment] as CairnEvent[];
}

const corpus: CairnEvent[] = [...fixtures, ...upcast, ...scaleAndDeployment()];

/** What encoding gives, or the refusal, as a caller sees it. */
function outcome(encode: (e: CairnEvent) => ReturnType<typeof encodeChecked>, event: CairnEvent): unknown {
  try {
    const { record, event: asRead } = encode(event);
    return { key: record.key, value: record.value.toString('utf8'), headers: record.headers, event: asRead };
  } catch (error) {
    const { message, name, details } = error as Error & { details: unknown };
    return { thrown: { name, message, details: JSON.parse(JSON.stringify(details)) as unknown } };
  }
}

function expectSamePaths(event: CairnEvent): void {
  expect(outcome(encodeChecked, event)).toStrictEqual(outcome(encodeCheckedByZod, event));
}

// ---- broken and odd variants of real events ----

type Node = Record<string, unknown> | unknown[];
const containers = (value: unknown, into: Node[] = []): Node[] => {
  if (value !== null && typeof value === 'object') {
    into.push(value as Node);
    for (const child of Object.values(value)) containers(child, into);
  }
  return into;
};

const ODD: unknown[] = [
  undefined,
  null,
  '',
  'x',
  '/x',
  -1,
  0,
  -0,
  1.5,
  2 ** 53,
  Number.NaN,
  Infinity,
  true,
  [],
  {},
  ['a'],
  { a: 1 },
  '\uD800', // a lone surrogate
  '😀'.repeat(3),
  new Date(0),
  'B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E', // a uuid in capitals
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00.000+02:00',
  '2026-01-01 00:00:00',
  '2026-02-30T00:00:00.000Z',
];
const odd = fc.constantFrom(...ODD);

/**
 * A deep copy made in this test's realm: structuredClone's objects have another Object.prototype
 * under jest, which the fast check (rightly) does not take for plain objects.
 */
function fresh<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  return value !== null && typeof value === 'object' ? (JSON.parse(JSON.stringify(value)) as T) : value;
}

/** A change at one object or array inside the event (deep-copied first). */
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'delete', 'add', 'reverse', 'proto', 'toJSON'),
  key: fc.nat(),
  value: odd,
  stray: fc.constantFrom('offset', 'extra', 'id', 'port', 'cmd'),
});

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutated(event: CairnEvent, changes: Mutation[]): CairnEvent {
  const copy = fresh(event) as unknown as Record<string, unknown>;
  for (const change of changes) {
    // A fresh copy each time: the odd values are shared constants.
    const value = fresh(change.value);
    const nodes = containers(copy);
    const node = nodes[change.at % nodes.length] as Record<string, unknown>;
    const keys = Object.keys(node);
    const key = keys.length ? keys[change.key % keys.length] : '0';
    switch (change.op) {
      case 'set':
        node[key] = value;
        break;
      case 'delete':
        delete node[key];
        break;
      case 'add':
        node[change.stray] = value;
        break;
      case 'reverse': {
        if (Array.isArray(node)) node.reverse();
        const entries = Object.entries(node).reverse();
        for (const [k] of entries) delete node[k];
        for (const [k, v] of entries) node[k] = v;
        break;
      }
      case 'proto':
        Object.defineProperty(node, '__proto__', { value: 'x', enumerable: true, configurable: true, writable: true });
        break;
      case 'toJSON':
        node.toJSON = () => ({ replaced: true });
        break;
    }
  }
  return copy as unknown as CairnEvent;
}

describe('encodeChecked: the fast check and zod agree', () => {
  it.each(corpus.map((e, i) => [`${i}: ${e.type} v${e.v}`, e] as const))('%s', (_name, event) => {
    expectSamePaths(event);
  });

  it('refuses what zod refuses in every envelope field and in a date-time of the data', () => {
    for (const event of corpus) {
      for (const field of ['id', 'type', 'v', 'at', 'actor', 'correlationId', 'causationId', 'data']) {
        for (const value of ODD) expectSamePaths({ ...event, [field]: value } as CairnEvent);
      }
    }
    const scaled = corpus.find((e) => e.type === 'AppScaled')!;
    for (const value of ODD) {
      expectSamePaths({ ...scaled, data: { ...(scaled.data as object), lastScalingAt: value } } as CairnEvent);
    }
  });

  it("takes the fast path for every type, and writes an event already in zod's order as it is", () => {
    for (const event of corpus) {
      const asZodGives = encodeCheckedByZod(event).event;
      const check = encodeCheck(asZodGives.type);
      expect([asZodGives.type, check.accepts(asZodGives)]).toEqual([asZodGives.type, true]);
      expect(check.asZod(asZodGives)).toBe(asZodGives);
      // In another order: vouched for too, as a copy in zod's order.
      const reordered = mutated(asZodGives, [{ at: 0, op: 'reverse', key: 0, value: null, stray: 'extra' }]);
      expect(check.asZod(reordered)).not.toBe(NOT_VOUCHED);
    }
  });

  it('gives the same records and the same refusals for broken and reordered events', () => {
    let vouched = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: corpus.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (i, changes) => {
          const event = mutated(corpus[i], changes);
          const check = encodeCheck(corpus[i].type);
          if (check.accepts(event) && check.asZod(event) !== NOT_VOUCHED) vouched++;
          expectSamePaths(event);
        },
      ),
      { numRuns: 5_000 },
    );
    // The fast path was taken for many of them, not only zod compared with itself.
    expect(vouched).toBeGreaterThan(300);
  }, 60_000);

  it('hands back what a reader decodes: a member set to undefined is left out, -0 is not vouched for', () => {
    // In zod's order, so that nothing else makes the walk copy it.
    const inOrder = fresh(encodeCheckedByZod(corpus.find((e) => e.type === 'AppCreated')!).event);
    expect(encodeCheck('AppCreated').asZod(inOrder)).toBe(inOrder);
    const created = inOrder as unknown as { data: { app: Record<string, unknown> } };
    created.data.app.user = undefined; // an optional field it has, in its place, now undefined
    const event = created as unknown as CairnEvent;
    expect(encodeCheck('AppCreated').asZod(event)).not.toBe(NOT_VOUCHED); // the fast path, not zod
    const back = encodeChecked(event).event as unknown as typeof created;
    expect(Object.keys(back.data.app)).not.toContain('user');
    expectSamePaths(event);

    const scaled = fresh(corpus.find((e) => e.type === 'AppScaled')!) as unknown as { data: { instances: number } };
    scaled.data.instances = -0;
    expect(encodeCheck('AppScaled').asZod(scaled)).toBe(NOT_VOUCHED);
    expect(
      Object.is((encodeChecked(scaled as unknown as CairnEvent).event.data as { instances: number }).instances, 0),
    ).toBe(true);
  });

  it("counts a string's length as zod does: code points, a lone surrogate as one", () => {
    const launched = corpus.find((e) => e.type === 'TaskLaunched')!;
    const withUri = (uri: string) => {
      const event = fresh(launched) as unknown as { data: { fetch: Record<string, unknown>[] } };
      event.data.fetch = [{ ...event.data.fetch[0], uri }];
      return event as unknown as CairnEvent;
    };
    // zod's max is 1,024: these are 1,024 code points (1,025 and 1,026 UTF-16 units), then 1,025.
    const fits = [withUri('x'.repeat(1_023) + '😀'), withUri('x'.repeat(1_022) + '😀\uD800')];
    for (const event of fits) {
      expect(encodeCheck('TaskLaunched').accepts(event)).toBe(true);
      expect(outcome(encodeChecked, event)).not.toHaveProperty('thrown');
      expectSamePaths(event);
    }
    const tooLong = withUri('x'.repeat(1_024) + '😀');
    expect(outcome(encodeChecked, tooLong)).toHaveProperty('thrown');
    expectSamePaths(tooLong);
  });
});
