import {
  describeEachBackend,
  describeResponse,
  Json,
  loadFixture,
  loadFixtureDir,
  marathonValidationProblems,
  MasterHandle,
  offlineReplay,
  requireWriteOffset,
  startMaster,
} from '../harness';
import { APP } from '../harness/marathon-shapes';

jest.setTimeout(120_000);

/** Marathon's own examples (test/fixtures/marathon, Apache-2.0, see its notice) that Marathon accepts. */
const ACCEPTED_REFERENCE_EXAMPLES = [
  'app-simple',
  'pinger-localhost-app',
  'readiness-and-health-app',
  'docker-http-server',
  'app-check-http-example',
];

const referenceExample = (name: string): Json => loadFixture(`marathon/${name}.json`);

/**
 * What Marathon stores for a reference example, where it differs from the body: Marathon 1.5+
 * normalises the legacy Docker fields (`docker.network`, `docker.portMappings`) into `networks`
 * and `container.portMappings`.
 */
function expectedStored(name: string, input: Json): Json {
  if (name !== 'docker-http-server') return input;
  const { network: _network, portMappings, ...docker } = input.container.docker;
  return {
    ...input,
    networks: [{ mode: 'container/bridge' }],
    container: { ...input.container, docker, portMappings },
  };
}

/** Marathon resolves a relative id against the root group: `http-index-test` is `/http-index-test`. */
function absoluteId(id: string): string {
  return id.startsWith('/') ? id : `/${id}`;
}

/** The top-level app fields /v2 shows: Marathon 1.6's, as marathon-python accepts them. */
const SHOWN_APP_FIELDS = APP.kind === 'object' ? APP.fields : {};

/**
 * What the stored app must still say about what was sent: every field as given (defaults may
 * add keys inside objects, e.g. a health check's delaySeconds), the id made absolute. A field
 * outside /v2's profile (a newer Marathon field such as `check`, or an unknown one) is not shown:
 * a strict client would reject the whole app for it.
 */
function expectKeepsInput(app: Json, input: Json): void {
  const { id, ...rest } = input;
  expect(app.id).toBe(absoluteId(id));
  const [shown, hidden] = [true, false].map((inProfile) =>
    Object.fromEntries(Object.entries(rest).filter(([key]) => Object.hasOwn(SHOWN_APP_FIELDS, key) === inProfile)),
  );
  expect(app).toMatchObject(withServicePorts(shown));
  for (const key of Object.keys(hidden)) expect(app).not.toHaveProperty(key);
  // A `port: 0` asks Marathon for a service port: it is stored as one of [10000, 20000).
  ((rest.portDefinitions as Json[] | undefined) ?? []).forEach((p, i) => {
    if ((p.port ?? 0) !== 0) return;
    expect(app.portDefinitions[i].port).toBeGreaterThanOrEqual(10_000);
    expect(app.portDefinitions[i].port).toBeLessThan(20_000);
  });
}

function withServicePorts(input: Json): Json {
  if (!Array.isArray(input.portDefinitions)) return input;
  return {
    ...input,
    portDefinitions: (input.portDefinitions as Json[]).map((p) =>
      (p.port ?? 0) === 0 ? { ...p, port: expect.any(Number) } : p,
    ),
  };
}

/** The input split into the fields the master kept and those it said it ignored. */
function splitFields(input: Json, ignored: readonly string[]): { marathon: Json; unknown: Json } {
  const marathon: Json = {};
  const unknown: Json = {};
  for (const [key, value] of Object.entries(input)) (ignored.includes(key) ? unknown : marathon)[key] = value;
  return { marathon, unknown };
}

const ownFixtures = loadFixtureDir('apps');

/** Every accepted body of this file: the reference examples and our own fixtures. */
function acceptedBodies(): [string, Json][] {
  return [
    ...ACCEPTED_REFERENCE_EXAMPLES.map((name): [string, Json] => [`marathon/${name}`, referenceExample(name)]),
    ...ownFixtures.map(([name, body]): [string, Json] => [`apps/${name}`, body]),
  ];
}

async function createAll(master: MasterHandle): Promise<void> {
  for (const [name, body] of acceptedBodies()) {
    const res = await master.http.post('/v2/apps', body);
    if (res.status !== 201) throw new Error(`${name}: POST /v2/apps answered ${describeResponse(res)}`);
  }
}

/** The state a restart must bring back: the app list and the state hash. */
async function snapshot(master: MasterHandle): Promise<{ apps: Json[]; hash: string }> {
  const apps = await master.http.get('/v2/apps');
  const hash = await master.http.get('/v1/state/hash');
  expect(apps.status).toBe(200);
  expect(hash.status).toBe(200);
  return { apps: apps.body.apps, hash: hash.body.hash };
}

describeEachBackend('Marathon reference apps', (backend) => {
  describe('accepted as Marathon accepts them', () => {
    let master: MasterHandle;

    beforeAll(async () => {
      master = await startMaster({ backend });
    }, 120_000);

    afterAll(async () => {
      await master?.stop();
    });

    it.each(ACCEPTED_REFERENCE_EXAMPLES)(
      'accepts the reference example %s (201) and keeps what it says',
      async (name) => {
        const input = referenceExample(name);
        const res = await master.http.post('/v2/apps', input);
        expect({ name, status: res.status }).toEqual({ name, status: 201 });
        requireWriteOffset(res);
        expectKeepsInput(res.body, expectedStored(name, input));
        const got = await master.http.get(`/v2/apps${absoluteId(input.id)}`);
        expect(got.status).toBe(200);
        expect(got.body.app).toEqual(res.body);
      },
    );

    it.each(ownFixtures.map(([name]) => name))(
      'accepts our fixture apps/%s (201) and keeps what it says',
      async (name) => {
        const input = loadFixture(`apps/${name}`);
        const res = await master.http.post('/v2/apps', input);
        expect({ name, res: res.status === 201 ? 201 : describeResponse(res) }).toEqual({ name, res: 201 });
        // Top-level fields that are not Marathon's are ignored (as Marathon's readers do) and named.
        const ignored = String(res.headers['x-cairn-ignored-fields'] ?? '')
          .split(',')
          .filter(Boolean);
        const { marathon, unknown } = splitFields(input, ignored);
        expect(Object.keys(unknown)).toEqual(ignored);
        if (name === 'unknown-fields.json') expect(ignored).toEqual(['x-cairn-test', 'someFutureFlag']);
        else expect(ignored).toEqual([]);
        for (const field of ignored) expect(res.body).not.toHaveProperty([field]);
        expectKeepsInput(res.body, marathon);
        // The id works in the URL with and without its leading slash.
        const id = absoluteId(input.id);
        const viaSlash = await master.http.get(`/v2/apps/${id}`);
        const viaPlain = await master.http.get(`/v2/apps${id}`);
        expect(viaPlain.status).toBe(200);
        expect(viaSlash.body).toEqual(viaPlain.body);
        expect(viaPlain.body.app).toEqual(res.body);
      },
    );

    it('fills the defaults of health checks and keeps their settings', async () => {
      const app = (await master.http.get('/v2/apps/checks/api')).body.app;
      expect(app.healthChecks).toEqual([
        expect.objectContaining({ protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 30 }),
        expect.objectContaining({ protocol: 'TCP', portIndex: 1, intervalSeconds: 15, timeoutSeconds: 20 }),
        expect.objectContaining({
          protocol: 'COMMAND',
          command: { value: 'test -f /tmp/ready' },
          gracePeriodSeconds: 300,
        }),
      ]);
    });

    it("refuses Marathon's kitchen-sink app.json (cmd and args together) with 422 in Marathon's shape", async () => {
      const endBefore = (await master.info()).endOffset;
      const res = await master.http.post('/v2/apps', referenceExample('app'));
      expect(res.status).toBe(422);
      expect(marathonValidationProblems(res.body)).toEqual([]);
      const messages = JSON.stringify(res.body.details);
      expect(messages).toMatch(/cmd|args/);
      expect(res.headers['x-cairn-offset']).toBeUndefined();
      expect((await master.info()).endOffset).toBe(endBefore);
      expect((await master.http.get('/v2/apps/foo')).status).toBe(404);
    });
  });

  describe.each(['SIGTERM', 'SIGKILL'] as const)('after a restart by %s', (signal) => {
    let master: MasterHandle;

    beforeAll(async () => {
      master = await startMaster({ backend });
    }, 120_000);

    afterAll(async () => {
      await master?.stop();
    });

    it('brings back the same apps, and the state hash equals an offline replay', async () => {
      await createAll(master);
      // Some history beyond creation: a scale, a config change, a delete.
      // No agent: their first deployments are still in progress, so the changes are forced.
      expect((await master.http.put('/v2/apps/simple?force=true', { instances: 5 })).status).toBe(200);
      expect(
        (await master.http.put('/v2/apps/prod/web/frontend?force=true', { env: { APP_ENV: 'staging' } })).status,
      ).toBe(200);
      expect((await master.http.delete('/v2/apps/exec/pinger')).status).toBe(200);

      const before = await snapshot(master);
      expect(before.apps.length).toBe(acceptedBodies().length - 1);

      const stopped = await master.restart({ signal });
      // A clean stop exits 0; a SIGKILL is reported as such.
      expect(stopped).toEqual(signal === 'SIGTERM' ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' });

      const after = await snapshot(master);
      expect(after.apps).toEqual(before.apps);
      expect(after.hash).toBe(before.hash);

      const replay = await offlineReplay(master);
      expect(replay.hash).toBe(after.hash);
      expect(replay.events).toBeGreaterThan(acceptedBodies().length);

      // And the restarted master still takes writes on top of the old log.
      const res = await master.http.post('/v2/apps', { id: '/after/reboot', cmd: 'sleep 1' });
      expect(res.status).toBe(201);
      const afterWrite = await snapshot(master);
      expect(afterWrite.hash).not.toBe(after.hash);
      expect((await offlineReplay(master)).hash).toBe(afterWrite.hash);
    });
  });
});
