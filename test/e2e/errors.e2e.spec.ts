import fc from 'fast-check';
import {
  describeResponse,
  HttpResponse,
  Json,
  marathonValidationProblems,
  MasterHandle,
  offlineReplay,
  requireWriteOffset,
  startMaster,
  writeOffset,
} from '../harness';

jest.setTimeout(60_000);

interface InvalidCase {
  readonly name: string;
  readonly body: Json;
  /** The detail path Marathon names for this mistake (a prefix for nested ones). */
  readonly path: string | RegExp;
}

const base = { cmd: 'sleep 1' };

/** Bodies Marathon refuses with 422, and where it says the mistake is. */
const INVALID_APPS: InvalidCase[] = [
  { name: 'cpus 0', body: { id: '/bad/cpus-zero', ...base, cpus: 0 }, path: '/cpus' },
  { name: 'negative cpus', body: { id: '/bad/cpus-negative', ...base, cpus: -0.5 }, path: '/cpus' },
  { name: 'mem -1', body: { id: '/bad/mem', ...base, mem: -1 }, path: '/mem' },
  { name: 'disk -1', body: { id: '/bad/disk', ...base, disk: -1 }, path: '/disk' },
  { name: 'instances 1.5', body: { id: '/bad/instances-fraction', ...base, instances: 1.5 }, path: '/instances' },
  { name: 'negative instances', body: { id: '/bad/instances-negative', ...base, instances: -1 }, path: '/instances' },
  { name: 'an id with capitals', body: { id: '/Bad/Capitals', ...base }, path: '/id' },
  { name: 'an id with a trailing dash segment', body: { id: '/bad/dash-', ...base }, path: '/id' },
  { name: 'an id with spaces', body: { id: '/bad/with space', ...base }, path: '/id' },
  { name: 'the root as id', body: { id: '/', ...base }, path: '/id' },
  { name: 'missing id', body: { ...base, cpus: 0.1 }, path: '/id' },
  {
    name: 'cmd and args both',
    body: { id: '/bad/cmd-and-args', cmd: 'sleep 1', args: ['sleep', '1'] },
    path: /^\/(cmd|args)?$/,
  },
  { name: 'neither cmd, args nor container', body: { id: '/bad/nothing-to-run', cpus: 0.1 }, path: /^\/(cmd|args)?$/ },
  { name: 'an empty cmd', body: { id: '/bad/empty-cmd', cmd: '' }, path: /^\/(cmd)?$/ },
  {
    name: 'upgradeStrategy 1.5',
    body: { id: '/bad/upgrade', ...base, upgradeStrategy: { minimumHealthCapacity: 1.5, maximumOverCapacity: 1 } },
    path: /^\/upgradeStrategy/,
  },
  {
    name: 'maximumOverCapacity -0.1',
    body: { id: '/bad/over', ...base, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: -0.1 } },
    path: /^\/upgradeStrategy/,
  },
  {
    name: 'a constraint with a bad operator',
    body: { id: '/bad/constraint-op', ...base, constraints: [['hostname', 'SOMETIMES']] },
    path: /^\/constraints/,
  },
  {
    name: 'a constraint with one field',
    body: { id: '/bad/constraint-len', ...base, constraints: [['hostname']] },
    path: /^\/constraints/,
  },
  {
    name: 'a constraint that is not an array',
    body: { id: '/bad/constraint-type', ...base, constraints: ['hostname:UNIQUE'] },
    path: /^\/constraints/,
  },
  {
    name: 'MAX_PER without a number',
    body: { id: '/bad/max-per', ...base, constraints: [['hostname', 'MAX_PER', 'many']] },
    path: /^\/constraints/,
  },
  { name: 'backoffFactor below 1', body: { id: '/bad/backoff', ...base, backoffFactor: 0.5 }, path: '/backoffFactor' },
  {
    name: 'killSelection not an option',
    body: { id: '/bad/kill', ...base, killSelection: 'RANDOM' },
    path: '/killSelection',
  },
  { name: 'cpus as a string', body: { id: '/bad/cpus-type', ...base, cpus: 'one' }, path: '/cpus' },
  { name: 'instances as a string', body: { id: '/bad/instances-type', ...base, instances: '3' }, path: '/instances' },
  { name: 'id as a number', body: { id: 42, ...base }, path: '/id' },
  { name: 'cmd as a number', body: { id: '/bad/cmd-type', cmd: 5 }, path: /^\/(cmd)?$/ },
  { name: 'args not strings', body: { id: '/bad/args-type', args: [1, 2] }, path: /^\/args/ },
  { name: 'env as a string', body: { id: '/bad/env-type', ...base, env: 'A=1' }, path: /^\/env/ },
  {
    name: 'labels with a number value',
    body: { id: '/bad/labels-type', ...base, labels: { a: 1 } },
    path: /^\/labels/,
  },
  {
    name: 'portDefinitions port out of range',
    body: { id: '/bad/port', ...base, portDefinitions: [{ port: 70000 }] },
    path: /^\/portDefinitions/,
  },
  {
    name: 'requirePorts as a string',
    body: { id: '/bad/require-ports', ...base, requirePorts: 'yes' },
    path: '/requirePorts',
  },
];

function isoOrJunk(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'not a date' : date.toISOString();
}

function expectDetailAt(body: Json, path: string | RegExp, name: string): void {
  const paths: string[] = (body?.details ?? []).map((d: { path: string }) => d.path);
  const found = paths.some((p) => (typeof path === 'string' ? p === path : path.test(p)));
  if (!found) throw new Error(`${name}: no detail at ${String(path)}; got ${JSON.stringify(body)}`);
}

async function endOffset(master: MasterHandle): Promise<number> {
  return (await master.info()).endOffset;
}

async function eventsFrom(master: MasterHandle, from: number): Promise<Json[]> {
  const res = await master.http.get(`/v1/events?from=${from}&limit=1000`);
  expect(res.status).toBe(200);
  expect(res.body.next).toBe(res.body.end);
  return res.body.events;
}

describe('errors and the log [file]', () => {
  let master: MasterHandle;

  beforeAll(async () => {
    master = await startMaster({ backend: 'file' });
  }, 60_000);

  afterAll(async () => {
    await master?.stop();
  });

  it.each(INVALID_APPS)('POST with $name → 422 in Marathon shape, nothing written', async ({ name, body, path }) => {
    const before = await endOffset(master);
    const res = await master.http.post('/v2/apps', body);
    expect({ name, res: res.status === 422 ? 422 : describeResponse(res) }).toEqual({ name, res: 422 });
    expect(marathonValidationProblems(res.body)).toEqual([]);
    expectDetailAt(res.body, path, name);
    expect(writeOffset(res)).toBeUndefined();
    expect(await endOffset(master)).toBe(before);
  });

  it.each([
    ['cpus -1', { cpus: -1 }, '/cpus'],
    ['instances 1.5', { instances: 1.5 }, '/instances'],
    ['mem as a string', { mem: 'lots' }, '/mem'],
  ])('PUT with %s → 422, nothing written', async (_name, body, path) => {
    expect((await master.http.post('/v2/apps', { id: '/put/target', cmd: 'sleep 1' })).status).toBeLessThan(500);
    const before = await endOffset(master);
    const res = await master.http.put('/v2/apps/put/target', body);
    expect(res.status).toBe(422);
    expect(marathonValidationProblems(res.body)).toEqual([]);
    expectDetailAt(res.body, path, `PUT ${_name}`);
    expect(await endOffset(master)).toBe(before);
  });

  it('PUT or GET on an id with capitals in the URL → 422 on /id', async () => {
    for (const res of [
      await master.http.put('/v2/apps/Bad/Url', { cmd: 'sleep 1' }),
      await master.http.get('/v2/apps/Bad/Url'),
    ]) {
      expect(res.status).toBe(422);
      expect(marathonValidationProblems(res.body)).toEqual([]);
      expectDetailAt(res.body, '/id', 'capitals in the URL');
    }
  });

  it.each([
    ['a truncated object', '{"id": "/x", "cmd": '],
    ['unquoted keys', '{id: "/x"}'],
    ['a trailing comma', '{"id": "/x", "cmd": "sleep 1",}'],
    ['not JSON at all', 'id=/x&cmd=sleep'],
  ])('POST with %s → 400 Invalid JSON with the parser message', async (_name, raw) => {
    const before = await endOffset(master);
    const res = await master.http.post('/v2/apps', undefined, { raw });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: 'Invalid JSON', details: expect.any(String) });
    expect(res.body.details.length).toBeGreaterThan(0);
    expect(await endOffset(master)).toBe(before);
  });

  it('PUT with malformed JSON → 400 Invalid JSON', async () => {
    const res = await master.http.put('/v2/apps/some/app', undefined, { raw: '{"instances": }' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: 'Invalid JSON', details: expect.any(String) });
  });

  it.each([
    ['an array', [{ id: '/x', cmd: 'sleep 1' }]],
    ['a string', 'just a string'],
    ['a number', 42],
    ['null', null],
  ])('POST with %s as the body → 4xx with a message, nothing written', async (_name, body) => {
    const before = await endOffset(master);
    const res = await master.http.post('/v2/apps', undefined, { raw: JSON.stringify(body) });
    expect([400, 422]).toContain(res.status);
    expect(res.body).toEqual(expect.objectContaining({ message: expect.any(String) }));
    expect(await endOffset(master)).toBe(before);
  });

  it('a body over the 1 MiB limit → 413 { message }, nothing written', async () => {
    const before = await endOffset(master);
    const huge = JSON.stringify({ id: '/too/big', cmd: 'sleep 1', env: { BLOB: 'x'.repeat(1024 * 1024 + 1) } });
    const res = await master.http.post('/v2/apps', undefined, { raw: huge });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ message: expect.stringMatching(/too large/i) });
    expect(await endOffset(master)).toBe(before);
  });

  it('unknown apps → 404 { message } on GET, DELETE and a nested id', async () => {
    for (const res of [
      await master.http.get('/v2/apps/no/such/app'),
      await master.http.delete('/v2/apps/no/such/app'),
      await master.http.get('/v2/apps//no/such/app'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: "App '/no/such/app' does not exist" });
      expect(writeOffset(res)).toBeUndefined();
    }
  });

  describe('writes racing a DELETE of the same app', () => {
    const RACES = 40;
    const runnable = (app: Json) => app.cmd !== undefined || app.args !== undefined || app.container !== undefined;

    /** Creates the app, then sends a partial PUT and a DELETE together, in both orders of sending. */
    async function racePutDelete(
      prefix: string,
      races = RACES,
      bothOrders = true,
    ): Promise<{ put: HttpResponse; del: HttpResponse }[]> {
      const results: { put: HttpResponse; del: HttpResponse }[] = [];
      for (let i = 0; i < races; i++) {
        const id = `/race/${prefix}-${i}`;
        expect((await master.http.post('/v2/apps', { id, cmd: 'sleep 1' })).status).toBe(201);
        const put = () => master.http.put(`/v2/apps${id}`, { instances: 5 });
        const del = () => master.http.delete(`/v2/apps${id}`);
        if (!bothOrders || i % 2 === 0) {
          const [p, d] = await Promise.all([put(), del()]);
          results.push({ put: p, del: d });
        } else {
          const [d, p] = await Promise.all([del(), put()]);
          results.push({ put: p, del: d });
        }
      }
      return results;
    }

    it('a partial PUT racing a DELETE never answers 5xx', async () => {
      // The PUT sent first: both land in one group commit more often (about 6 in 100 locally).
      const PUT_FIRST_RACES = 100;
      const results = await racePutDelete('put-5xx', PUT_FIRST_RACES, false);
      const failed = results.filter((r) => r.put.status >= 500 || r.del.status >= 500);
      if (failed.length > 0) {
        throw new Error(
          `${failed.length} of ${PUT_FIRST_RACES} races answered 5xx, e.g. PUT ${describeResponse(failed[0].put)}, ` +
            `DELETE ${describeResponse(failed[0].del)}\n${master.describeLogs()}`,
        );
      }
    });

    it('a partial PUT that lands after the DELETE does not create an app without cmd, args or container', async () => {
      // { instances: 5 } is valid only as a change to an existing app; Marathon refuses to create an app from it.
      const start = await endOffset(master);
      await racePutDelete('put-invalid');
      const written = (await eventsFrom(master, start)).filter(
        (e) => e.type === 'AppCreated' || e.type === 'AppUpdated',
      );
      expect(written.filter((e) => !runnable(e.data.app)).map((e) => `${e.type} ${e.data.app.id}`)).toEqual([]);
      const apps: Json[] = (await master.http.get('/v2/apps')).body.apps;
      expect(apps.filter((app) => !runnable(app)).map((app) => app.id)).toEqual([]);
    });

    it('a POST racing a DELETE answers 201 with the app it created', async () => {
      const POST_RACES = 100; // the reply goes wrong in a few races in a hundred
      for (let i = 0; i < POST_RACES; i++) {
        const id = `/race/post-${i}`;
        const [post] = await Promise.all([
          master.http.post('/v2/apps', { id, cmd: 'sleep 1' }),
          master.http.delete(`/v2/apps${id}`),
        ]);
        expect(post.status).toBe(201);
        expect(post.body).toMatchObject({ id, cmd: 'sleep 1', version: expect.any(String) });
      }
    });
  });

  it('the log holds only the events of the valid requests, in order', async () => {
    const start = await endOffset(master);
    const valid: number[] = [];
    const rejected: number[] = [];
    const record = async (res: HttpResponse) => {
      if (res.status < 300) valid.push(requireWriteOffset(res));
      else {
        expect(writeOffset(res)).toBeUndefined();
        rejected.push(res.status);
      }
    };
    await record(await master.http.post('/v2/apps', { id: '/audit/app', cmd: 'sleep 1' }));
    await record(await master.http.post('/v2/apps', { id: '/audit/app', cmd: 'sleep 1' })); // 409
    await record(await master.http.post('/v2/apps', { id: '/audit/bad', cmd: 'sleep 1', cpus: -1 })); // 422
    await record(await master.http.post('/v2/apps', undefined, { raw: '{"id":' })); // 400
    await record(await master.http.put('/v2/apps/audit/app', { instances: 3 })); // 409: its deployment waits for an agent
    await record(await master.http.put('/v2/apps/audit/app?force=true', { instances: 3 }));
    await record(await master.http.put('/v2/apps/audit/app?force=true', { instances: 2.5 })); // 422
    await record(await master.http.put('/v2/apps/audit/app?force=true', { mem: 256 }));
    await record(await master.http.delete('/v2/apps/audit/missing')); // 404
    await record(await master.http.delete('/v2/apps/audit/app'));
    expect(rejected).toEqual([409, 422, 400, 409, 422, 404]);

    const events = await eventsFrom(master, start);
    // (Each write's deployment events are deployments.e2e.spec.ts's subject; here only where they are.)
    const appEvents = events.filter((e) => !e.type.startsWith('Deployment'));
    expect(appEvents.map((e) => [e.type, e.data.app?.id ?? e.data.appId])).toEqual([
      ['AppCreated', '/audit/app'],
      ['AppScaled', '/audit/app'],
      ['AppUpdated', '/audit/app'],
      ['AppDeleted', '/audit/app'],
    ]);
    // A write's offset is its last event's (its deployment's): every one is in the log.
    expect(valid.every((offset) => events.some((e) => e.offset === offset))).toBe(true);
    expect(events.find((e) => e.type === 'AppScaled').data.instances).toBe(3);
    expect(events.find((e) => e.type === 'AppUpdated').data.app.mem).toBe(256);
    for (const event of events) {
      expect(event).toEqual({
        offset: expect.any(Number),
        id: expect.any(String),
        type: expect.any(String),
        v: expect.any(Number),
        at: expect.any(String),
        actor: expect.any(String),
        correlationId: expect.any(String),
        causationId: event.causationId === null ? null : expect.any(String),
        data: expect.any(Object),
      });
      expect(event.correlationId.length).toBeGreaterThan(0);
    }
    expect(await endOffset(master)).toBeGreaterThan(valid[valid.length - 1]);
  });

  it('never answers 5xx to 200 random bodies (fast-check, fixed seed), and replay still equals live', async () => {
    // Each field is usually valid and sometimes not, so bodies reach every layer: JSON parsing,
    // shape, semantic rules, and (when all is well) the decider and the log.
    const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
      fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: invalid });
    const word = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    const appish = fc.record(
      {
        id: mostly(
          fc.constantFrom('/fuzz/a', 'fuzz/b', '/fuzz/c/d', '/fuzz/e.f'),
          fc.oneof(fc.constantFrom('/', '', '/UP', '/fuzz/-x', '/fuzz/restart'), fc.string(), fc.integer()),
        ),
        cmd: mostly(fc.constantFrom('sleep 1', 'echo $PORT0'), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
        cpus: mostly(
          fc.double({ min: 0.01, max: 8, noNaN: true }),
          fc.oneof(fc.double(), fc.string(), fc.constant(null)),
        ),
        mem: mostly(fc.integer({ min: 0, max: 4096 }), fc.oneof(fc.double(), fc.integer({ min: -10, max: -1 }))),
        instances: mostly(
          fc.integer({ min: 0, max: 10 }),
          fc.oneof(fc.double(), fc.boolean(), fc.integer({ max: -1 })),
        ),
        env: mostly(
          fc.dictionary(fc.string(), fc.string()),
          fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.anything())),
        ),
        labels: mostly(fc.dictionary(fc.string(), fc.string()), fc.anything()),
        constraints: mostly(
          fc.array(
            fc.oneof(
              fc.tuple(fc.constantFrom('hostname', 'rack'), fc.constantFrom('UNIQUE', 'CLUSTER', 'GROUP_BY')),
              fc.tuple(fc.constantFrom('hostname', 'rack'), fc.constantFrom('LIKE', 'UNLIKE', 'IS'), word),
              fc.tuple(fc.constantFrom('hostname'), fc.constant('MAX_PER'), fc.integer({ min: 1, max: 9 }).map(String)),
            ),
            { maxLength: 3 },
          ),
          fc.oneof(fc.array(fc.array(fc.string(), { maxLength: 4 })), fc.anything()),
        ),
        portDefinitions: mostly(
          fc.uniqueArray(fc.record({ port: fc.integer({ min: 1, max: 65535 }), name: word }), {
            maxLength: 3,
            selector: (p) => p.port,
          }),
          fc.oneof(
            fc.array(fc.record({ port: fc.integer({ min: -5, max: 70000 }), name: fc.string() })),
            fc.anything(),
          ),
        ),
        healthChecks: mostly(
          fc.array(
            fc.record({
              protocol: fc.constant('COMMAND'),
              command: fc.record({ value: word }),
              intervalSeconds: fc.nat(100),
            }),
            {
              maxLength: 2,
            },
          ),
          fc.oneof(fc.array(fc.dictionary(fc.string(), fc.anything())), fc.anything()),
        ),
        upgradeStrategy: mostly(
          fc.record({
            minimumHealthCapacity: fc.double({ min: 0, max: 1, noNaN: true }),
            maximumOverCapacity: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          fc.oneof(fc.record({ minimumHealthCapacity: fc.double(), maximumOverCapacity: fc.double() }), fc.anything()),
        ),
        [fc.sample(word, { seed: 1, numRuns: 1 })[0]]: fc.anything(),
      },
      { requiredKeys: ['id', 'cmd'] },
    );
    const body = fc.oneof(
      { weight: 6, arbitrary: appish.map((b) => ({ json: b as unknown })) },
      { weight: 2, arbitrary: fc.anything().map((b) => ({ json: b as unknown })) },
      { weight: 1, arbitrary: fc.string().map((raw) => ({ raw })) },
      {
        weight: 1,
        arbitrary: fc
          .record({
            id: fc.constantFrom('/fuzz/a', '/fuzz/b'),
            version: fc.oneof(fc.string(), fc.date().map(isoOrJunk)),
          })
          .map((b) => ({ json: b as unknown })),
      },
    );
    const method = fc.constantFrom('POST /v2/apps', 'PUT /v2/apps/fuzz/a', 'PUT /v2/apps/fuzz/a?partialUpdate=false');
    const seen: number[] = [];
    await fc.assert(
      fc.asyncProperty(method, body, async (target, payload) => {
        const [verb, path] = target.split(' ');
        const raw = 'raw' in payload ? payload.raw : (JSON.stringify(payload.json) ?? 'null');
        const res = await master.http.request(verb, path, undefined, { raw });
        seen.push(res.status);
        if (res.status >= 500) throw new Error(`${verb} ${path} ${raw} → ${describeResponse(res)}`);
      }),
      { seed: 20261125, numRuns: 200, endOnFailure: true },
    );
    expect(seen).toHaveLength(200);
    // The answers were not all of one kind: the generator reaches both sides of validation.
    expect(seen.some((s) => s >= 400)).toBe(true);
    expect(seen.some((s) => s < 300)).toBe(true);

    const live = await master.http.get('/v1/state/hash');
    expect((await offlineReplay(master)).hash).toBe(live.body.hash);
    expect((await master.http.get('/v2/apps')).status).toBe(200);
  });
});

describe('errors and the log [kafka smoke]', () => {
  let master: MasterHandle;

  beforeAll(async () => {
    master = await startMaster({ backend: 'kafka' });
  }, 120_000);

  afterAll(async () => {
    await master?.stop();
  });

  it('refuses invalid, malformed and unknown requests without writing to the topic', async () => {
    const before = await endOffset(master);
    const invalid = await master.http.post('/v2/apps', { id: '/Bad', cmd: 'sleep 1', cpus: 0 });
    expect(invalid.status).toBe(422);
    expect(marathonValidationProblems(invalid.body)).toEqual([]);
    const malformed = await master.http.post('/v2/apps', undefined, { raw: '{"id": "/x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ message: 'Invalid JSON', details: expect.any(String) });
    const unknown = await master.http.get('/v2/apps/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: "App '/nope' does not exist" });
    expect(await endOffset(master)).toBe(before);

    const valid = await master.http.post('/v2/apps', { id: '/smoke/ok', cmd: 'sleep 1' });
    expect(valid.status).toBe(201);
    const dup = await master.http.post('/v2/apps', { id: '/smoke/ok', cmd: 'sleep 1' });
    expect(dup.status).toBe(409);
    const events = await eventsFrom(master, before);
    expect(events.map((e) => e.type)).toEqual(['AppCreated', 'DeploymentStarted', 'DeploymentStepFinished']);
    expect(events[events.length - 1].offset).toBe(requireWriteOffset(valid));
  });
});
