import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../cli';
import { MASTER_URL_HINT } from '../errors';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';
import { FakeMaster, startFakeMaster, unusedUrl } from '../testing/fake-master';

const web = {
  id: '/prod/web',
  cmd: 'python3 -m http.server $PORT0 --bind 127.0.0.1 --directory /srv/www/a/long/path/that/goes/on',
  instances: 2,
  cpus: 0.5,
  mem: 128,
  disk: 0,
  version: '2025-01-02T03:04:05.000Z',
  versionInfo: { lastScalingAt: '2025-01-02T03:04:05.000Z', lastConfigChangeAt: '2025-01-02T03:04:05.000Z' },
  labels: { team: 'web' },
  tasksRunning: 0,
  tasksStaged: 0,
  tasksHealthy: 0,
  tasksUnhealthy: 0,
};
const db = { id: '/db', cmd: 'sleep 1000', instances: 1, cpus: 1, mem: 512, version: '2025-01-01T00:00:00.000Z' };

describe('cairn apps', () => {
  let master: FakeMaster | undefined;
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-cli-apps-'));
  });

  afterEach(async () => {
    await master?.close();
    master = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function cairn(args: string[], options: { stdin?: string } = {}) {
    const io = captureIo({ stdin: options.stdin });
    const code = await run([...args, '--master', master!.url], io);
    return { code, out: io.out(), err: io.err() };
  }

  describe('list', () => {
    it('prints a table with the key columns and a truncated command', async () => {
      master = await startFakeMaster({ 'GET /v2/apps': { body: { apps: [web, db] } } });
      const { code, out, err } = await cairn(['apps', 'list']);
      expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
      const lines = out.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+INSTANCES\s+CPUS\s+MEM\s+VERSION\s+CMD$/);
      expect(lines[1]).toMatch(/^\/prod\/web\s+2\s+0\.5\s+128\s+2025-01-02T03:04:05\.000Z\s+python3 -m http\.server/);
      expect(lines[1]).toContain('…');
      expect(lines[1]).not.toContain('goes/on');
      expect(lines[2]).toMatch(/^\/db\s+1\s+1\s+512\s+2025-01-01T00:00:00\.000Z\s+sleep 1000$/);
    });

    it('says so when there are no apps', async () => {
      master = await startFakeMaster({ 'GET /v2/apps': { body: { apps: [] } } });
      expect(await cairn(['apps', 'list'])).toEqual({ code: 0, out: 'No apps.\n', err: '' });
    });

    it('--json prints the API answer unchanged', async () => {
      master = await startFakeMaster({ 'GET /v2/apps': { body: { apps: [web, db] } } });
      const { code, out } = await cairn(['apps', 'list', '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ apps: [web, db] });
    });

    it('uses CAIRN_MASTER when --master is absent', async () => {
      master = await startFakeMaster({ 'GET /v2/apps': { body: { apps: [db] } } });
      const io = captureIo({ env: { CAIRN_MASTER: master.url } });
      expect(await run(['apps', 'list'], io)).toBe(0);
      expect(io.out()).toContain('/db');
    });
  });

  describe('show', () => {
    it('asks for the nested id with or without its leading slash and prints key fields', async () => {
      master = await startFakeMaster({ 'GET /v2/apps/prod/web': { body: { app: web } } });
      for (const id of ['/prod/web', 'prod/web']) {
        const { code, out } = await cairn(['apps', 'show', id]);
        expect(code).toBe(0);
        expect(out).toMatch(/^ID:\s+\/prod\/web$/m);
        expect(out).toMatch(/^INSTANCES:\s+2$/m);
        expect(out).toMatch(/^CMD:\s+python3 .*goes\/on$/m);
        expect(out).toMatch(/^LABELS:\s+team=web$/m);
        expect(out).toMatch(/^TASKS:\s+0 running, 0 staged, 0 healthy, 0 unhealthy$/m);
      }
      expect(master.requests.map((r) => r.path)).toEqual(['/v2/apps/prod/web', '/v2/apps/prod/web']);
    });

    it('exits 1 with the API message for an unknown app', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/nope': { status: 404, body: { message: "App '/nope' does not exist" } },
      });
      const { code, out, err } = await cairn(['apps', 'show', '/nope']);
      expect(code).toBe(ExitCode.Refused);
      expect(out).toBe('');
      expect(err).toContain("App '/nope' does not exist");
      expect(err).toContain('HTTP 404');
    });
  });

  describe('create', () => {
    it('POSTs the file as JSON and reports id, version and log offset', async () => {
      master = await startFakeMaster({
        'POST /v2/apps': (req) => ({
          status: 201,
          body: { ...JSON.parse(req.body), version: 'v1' },
          headers: { 'x-cairn-offset': '7' },
        }),
      });
      const file = join(dir, 'app.json');
      await writeFile(file, JSON.stringify({ id: '/db', cmd: 'sleep 1000' }));
      const { code, out, err } = await cairn(['apps', 'create', file]);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toBe('Created app /db (version v1, log offset 7)\n');
      expect(master.requests).toHaveLength(1);
      expect(JSON.parse(master.requests[0].body)).toEqual({ id: '/db', cmd: 'sleep 1000' });
    });

    it("reads the definition from stdin for '-'", async () => {
      master = await startFakeMaster({ 'POST /v2/apps': (req) => ({ status: 201, body: JSON.parse(req.body) }) });
      const { code, out } = await cairn(['apps', 'create', '-', '--json'], {
        stdin: '{"id":"/from-stdin","cmd":"true"}',
      });
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ id: '/from-stdin', cmd: 'true' });
    });

    it('exits 2 naming the file and the parse error for invalid JSON, sending nothing', async () => {
      master = await startFakeMaster({});
      const file = join(dir, 'broken.json');
      await writeFile(file, '{"id": "/db", ');
      const { code, err } = await cairn(['apps', 'create', file]);
      expect(code).toBe(ExitCode.Usage);
      expect(err).toContain(`${file} is not valid JSON:`);
      expect(err).toMatch(/JSON/);
      expect(master.requests).toHaveLength(0);
    });

    it('exits 2 for a missing file', async () => {
      master = await startFakeMaster({});
      const file = join(dir, 'missing.json');
      const { code, err } = await cairn(['apps', 'create', file]);
      expect(code).toBe(ExitCode.Usage);
      expect(err).toBe(`error: cannot read ${file}: no such file\n`);
    });

    it('exits 2 when the JSON is not an object', async () => {
      master = await startFakeMaster({});
      const { code, err } = await cairn(['apps', 'create', '-'], { stdin: '[{"id":"/a"}]' });
      expect(code).toBe(ExitCode.Usage);
      expect(err).toContain('stdin: an app definition must be a JSON object, got an array');
    });

    it('exits 1 and prints each validation detail for a 422', async () => {
      master = await startFakeMaster({
        'POST /v2/apps': {
          status: 422,
          body: {
            message: 'Object is not valid',
            details: [
              { path: '/cpus', errors: ['error.min'] },
              { path: '/id', errors: ['error.pattern'] },
            ],
          },
        },
      });
      const { code, out, err } = await cairn(['apps', 'create', '-'], { stdin: '{"id":"BAD","cpus":-1}' });
      expect(code).toBe(ExitCode.Refused);
      expect(out).toBe('');
      expect(err.split('\n')).toEqual([
        expect.stringMatching(
          /^error: Object is not valid \(HTTP 422 from POST http:\/\/127\.0\.0\.1:\d+\/v2\/apps\)$/,
        ),
        '  /cpus: error.min',
        '  /id: error.pattern',
        '',
      ]);
    });

    it('exits 1 for a conflict', async () => {
      master = await startFakeMaster({
        'POST /v2/apps': { status: 409, body: { message: 'An app with id [/db] already exists.' } },
      });
      const { code, err } = await cairn(['apps', 'create', '-'], { stdin: '{"id":"/db"}' });
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain('An app with id [/db] already exists.');
    });
  });

  describe('scale', () => {
    it('checks the app exists, then PUTs only the instance count', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/prod/web': { body: { app: web } },
        'PUT /v2/apps/prod/web': { body: { deploymentId: 'd-1', version: 'v2' }, headers: { 'x-cairn-offset': '9' } },
      });
      const { code, out } = await cairn(['apps', 'scale', '/prod/web', '5']);
      expect(code).toBe(0);
      expect(out).toBe('Scaling /prod/web to 5 instance(s): deployment d-1, version v2, log offset 9\n');
      const put = master.requests[1];
      expect({ method: put.method, partialUpdate: put.query.get('partialUpdate'), body: JSON.parse(put.body) }).toEqual(
        {
          method: 'PUT',
          partialUpdate: 'true',
          body: { instances: 5 },
        },
      );
    });

    it('exits 1 without a PUT when the app does not exist (a PUT would create it)', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/wbe': { status: 404, body: { message: "App '/wbe' does not exist" } },
      });
      const { code, err } = await cairn(['apps', 'scale', 'wbe', '3']);
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain("App '/wbe' does not exist");
      expect(master.requests.map((r) => r.method)).toEqual(['GET']);
    });

    it.each(['-1', '1.5', 'three', ''])('exits 2 for the instance count %p, sending nothing', async (count) => {
      master = await startFakeMaster({});
      const { code, err } = await cairn(['apps', 'scale', '/web', count]);
      expect(code).toBe(ExitCode.Usage);
      expect(err).toContain('instances');
      expect(master.requests).toHaveLength(0);
    });
  });

  describe('delete', () => {
    it('DELETEs the app and reports the deployment', async () => {
      master = await startFakeMaster({ 'DELETE /v2/apps/db': { body: { deploymentId: 'd-2', version: 'v3' } } });
      const { code, out } = await cairn(['apps', 'delete', '/db']);
      expect(code).toBe(0);
      expect(out).toBe('Deleting /db: deployment d-2, version v3\n');
    });

    it('--json prints the API answer', async () => {
      master = await startFakeMaster({ 'DELETE /v2/apps/db': { body: { deploymentId: 'd-2', version: 'v3' } } });
      const { out } = await cairn(['apps', 'delete', 'db', '--json']);
      expect(JSON.parse(out)).toEqual({ deploymentId: 'd-2', version: 'v3' });
    });
  });

  describe('create: ignored fields and --force', () => {
    it('warns on stderr naming the fields the master ignored, and still succeeds', async () => {
      master = await startFakeMaster({
        'POST /v2/apps': (req) => ({
          status: 201,
          body: { ...JSON.parse(req.body), version: 'v1' },
          headers: { 'x-cairn-ignored-fields': 'instanses,helthChecks' },
        }),
      });
      const { code, out, err } = await cairn(['apps', 'create', '-'], {
        stdin: '{"id":"/db","cmd":"true","instanses":2,"helthChecks":[]}',
      });
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe('Created app /db (version v1)\n');
      expect(err).toBe('warning: the master ignored unknown app fields instanses, helthChecks (misspelt?)\n');
    });

    it('warns with --json too, keeping stdout pure JSON', async () => {
      master = await startFakeMaster({
        'POST /v2/apps': { status: 201, body: { id: '/db' }, headers: { 'x-cairn-ignored-fields': 'foo' } },
      });
      const { out, err } = await cairn(['apps', 'create', '-', '--json'], { stdin: '{"id":"/db","foo":1}' });
      expect(JSON.parse(out)).toEqual({ id: '/db' });
      expect(err).toBe('warning: the master ignored unknown app field foo (misspelt?)\n');
    });

    it('--force sends force=true', async () => {
      master = await startFakeMaster({ 'POST /v2/apps': { status: 201, body: { id: '/db' } } });
      await cairn(['apps', 'create', '-', '--force'], { stdin: '{"id":"/db"}' });
      expect(master.requests[0].query.get('force')).toBe('true');
    });
  });

  describe('update', () => {
    const deployed = { body: { deploymentId: 'd-4', version: 'v4' }, headers: { 'x-cairn-offset': '11' } };

    it('checks the app exists, then PUTs the file with partialUpdate=true by default', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/prod/web': { body: { app: web } },
        'PUT /v2/apps/prod/web': deployed,
      });
      const file = join(dir, 'web.json');
      await writeFile(file, JSON.stringify({ id: '/prod/web', mem: 256 }));
      const { code, out, err } = await cairn(['apps', 'update', 'prod/web', '--file', file]);
      expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
      expect(out).toBe('Updating /prod/web: deployment d-4, version v4, log offset 11\n');
      const put = master.requests[1];
      expect(put.method).toBe('PUT');
      expect(Object.fromEntries(put.query)).toEqual({ partialUpdate: 'true' });
      expect(JSON.parse(put.body)).toEqual({ id: '/prod/web', mem: 256 });
    });

    it('reads stdin without --file; --no-partial replaces and --force overrides a lock', async () => {
      master = await startFakeMaster({ 'GET /v2/apps/db': { body: { app: db } }, 'PUT /v2/apps/db': deployed });
      const { code } = await cairn(['apps', 'update', '/db', '--no-partial', '--force'], {
        stdin: '{"cmd":"sleep 5","mem":64}',
      });
      expect(code).toBe(ExitCode.Ok);
      expect(Object.fromEntries(master.requests[1].query)).toEqual({ partialUpdate: 'false', force: 'true' });
      expect(JSON.parse(master.requests[1].body)).toEqual({ cmd: 'sleep 5', mem: 64 });
    });

    it('--json prints the deploymentResult and warns about ignored fields on stderr', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/db': { body: { app: db } },
        'PUT /v2/apps/db': {
          body: { deploymentId: 'd-4', version: 'v4' },
          headers: { 'x-cairn-ignored-fields': 'memory' },
        },
      });
      const { out, err } = await cairn(['apps', 'update', 'db', '--json'], { stdin: '{"memory":64}' });
      expect(JSON.parse(out)).toEqual({ deploymentId: 'd-4', version: 'v4' });
      expect(err).toBe('warning: the master ignored unknown app field memory (misspelt?)\n');
    });

    it('exits 1 without a PUT when the app does not exist (a PUT would create it)', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/wbe': { status: 404, body: { message: "App '/wbe' does not exist" } },
      });
      const { code, err } = await cairn(['apps', 'update', 'wbe'], { stdin: '{"mem":64}' });
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain("App '/wbe' does not exist");
      expect(master.requests.map((r) => r.method)).toEqual(['GET']);
    });

    it('exits 2 before any request when the definition names another app', async () => {
      master = await startFakeMaster({});
      const { code, err } = await cairn(['apps', 'update', '/db'], { stdin: '{"id":"/prod/web","mem":64}' });
      expect(code).toBe(ExitCode.Usage);
      expect(err).toBe('error: stdin defines app "/prod/web", not /db: fix the id or drop it\n');
      expect(master.requests).toHaveLength(0);
    });

    it('accepts the id without its leading slash in the body', async () => {
      master = await startFakeMaster({ 'GET /v2/apps/db': { body: { app: db } }, 'PUT /v2/apps/db': deployed });
      const { code } = await cairn(['apps', 'update', '/db'], { stdin: '{"id":"db","mem":64}' });
      expect(code).toBe(ExitCode.Ok);
    });

    it('exits 2 without waiting when stdin is a terminal and no --file is given', async () => {
      master = await startFakeMaster({});
      const io = { ...captureIo(), stdin: Object.assign(Readable.from([]), { isTTY: true }) };
      const code = await run(['apps', 'update', '/db', '--master', master.url], io);
      expect(code).toBe(ExitCode.Usage);
      expect(io.err()).toBe('error: no app definition: give --file FILE, or pipe the JSON on stdin\n');
      expect(master.requests).toHaveLength(0);
    });

    it('exits 1 with the lock hint for a 409 of a locked app', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/db': { body: { app: db } },
        'PUT /v2/apps/db': {
          status: 409,
          body: {
            message: "App is locked by one or more deployments. Override with the option '?force=true'.",
            deployments: [{ id: 'd-9' }],
          },
        },
      });
      const { code, out, err } = await cairn(['apps', 'update', '/db'], { stdin: '{"mem":64}' });
      expect({ code, out }).toEqual({ code: ExitCode.Refused, out: '' });
      expect(err.split('\n')).toEqual([
        expect.stringMatching(
          /^error: App is locked by one or more deployments\..*\(HTTP 409 from PUT .*\/v2\/apps\/db\?partialUpdate=true\)$/,
        ),
        '  locked by deployment d-9: retry with --force (cancels the deployment)',
        '',
      ]);
    });

    it('exits 1 and prints each validation detail for a 422', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/db': { body: { app: db } },
        'PUT /v2/apps/db': {
          status: 422,
          body: { message: 'Invalid JSON', details: [{ path: '/mem', errors: ['error.min'] }] },
        },
      });
      const { code, err } = await cairn(['apps', 'update', '/db'], { stdin: '{"mem":-1}' });
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain('error: Invalid JSON (HTTP 422 from PUT ');
      expect(err).toContain('\n  /mem: error.min\n');
    });
  });

  describe('patch', () => {
    it('PATCHes the fields without asking first (PATCH never creates) and reports the deployment', async () => {
      master = await startFakeMaster({
        'PATCH /v2/apps/prod/web': { body: { deploymentId: 'd-5', version: 'v5' } },
      });
      const file = join(dir, 'patch.json');
      await writeFile(file, '{"instances": 3}');
      const { code, out } = await cairn(['apps', 'patch', '/prod/web', '--file', file, '--force']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe('Patching /prod/web: deployment d-5, version v5\n');
      expect(master.requests).toHaveLength(1);
      expect(master.requests[0]).toMatchObject({ method: 'PATCH', body: '{"instances":3}' });
      expect(Object.fromEntries(master.requests[0].query)).toEqual({ force: 'true' });
    });

    it('warns about ignored fields', async () => {
      master = await startFakeMaster({
        'PATCH /v2/apps/db': {
          body: { deploymentId: 'd-5', version: 'v5' },
          headers: { 'x-cairn-ignored-fields': 'cpu' },
        },
      });
      const { code, err } = await cairn(['apps', 'patch', 'db'], { stdin: '{"cpu":2}' });
      expect(code).toBe(ExitCode.Ok);
      expect(err).toBe('warning: the master ignored unknown app field cpu (misspelt?)\n');
    });

    it('exits 1 for an unknown app', async () => {
      master = await startFakeMaster({
        'PATCH /v2/apps/nope': { status: 404, body: { message: "App '/nope' does not exist" } },
      });
      const { code, err } = await cairn(['apps', 'patch', 'nope'], { stdin: '{"cpus":1}' });
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain("App '/nope' does not exist");
    });

    it('exits 2 for input that is not a JSON object', async () => {
      master = await startFakeMaster({});
      const { code, err } = await cairn(['apps', 'patch', 'db'], { stdin: '3' });
      expect(code).toBe(ExitCode.Usage);
      expect(err).toContain('stdin: an app definition must be a JSON object, got number');
      expect(master.requests).toHaveLength(0);
    });
  });

  describe('versions', () => {
    const versions = ['2025-01-03T00:00:00.000Z', '2025-01-02T00:00:00.000Z'];

    it('prints one version per line, as the API orders them', async () => {
      master = await startFakeMaster({ 'GET /v2/apps/prod/web/versions': { body: { versions } } });
      expect(await cairn(['apps', 'versions', 'prod/web'])).toEqual({
        code: 0,
        out: versions.join('\n') + '\n',
        err: '',
      });
    });

    it('--json prints the API answer', async () => {
      master = await startFakeMaster({ 'GET /v2/apps/db/versions': { body: { versions } } });
      const { out } = await cairn(['apps', 'versions', '/db', '--json']);
      expect(JSON.parse(out)).toEqual({ versions });
    });

    it('says so when there are none, and exits 1 for an unknown app', async () => {
      master = await startFakeMaster({
        'GET /v2/apps/db/versions': { body: { versions: [] } },
        'GET /v2/apps/nope/versions': { status: 404, body: { message: "App '/nope' does not exist" } },
      });
      expect((await cairn(['apps', 'versions', 'db'])).out).toBe('No versions.\n');
      expect((await cairn(['apps', 'versions', 'nope'])).code).toBe(ExitCode.Refused);
    });
  });

  describe('revert', () => {
    it('PUTs only the version (Marathon rollback) and reports the deployment', async () => {
      master = await startFakeMaster({ 'PUT /v2/apps/prod/web': { body: { deploymentId: 'd-6', version: 'v6' } } });
      const { code, out } = await cairn(['apps', 'revert', '/prod/web', '2025-01-02T00:00:00.000Z']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe('Reverting /prod/web to version 2025-01-02T00:00:00.000Z: deployment d-6, version v6\n');
      expect(JSON.parse(master.requests[0].body)).toEqual({ version: '2025-01-02T00:00:00.000Z' });
      expect(master.requests[0].query.toString()).toBe('');
    });

    it('--force and --json', async () => {
      master = await startFakeMaster({ 'PUT /v2/apps/db': { body: { deploymentId: 'd-6', version: 'v6' } } });
      const { out } = await cairn(['apps', 'revert', 'db', 'v1', '--force', '--json']);
      expect(JSON.parse(out)).toEqual({ deploymentId: 'd-6', version: 'v6' });
      expect(master.requests[0].query.get('force')).toBe('true');
    });

    it('exits 1 with the API message for a version that does not exist', async () => {
      master = await startFakeMaster({
        'PUT /v2/apps/db': { status: 404, body: { message: 'Version v0 of app /db does not exist' } },
      });
      const { code, err } = await cairn(['apps', 'revert', 'db', 'v0']);
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain('Version v0 of app /db does not exist');
    });

    it('exits 2 without a version', async () => {
      master = await startFakeMaster({});
      const { code, err } = await cairn(['apps', 'revert', 'db']);
      expect(code).toBe(ExitCode.Usage);
      expect(err).toContain("missing required argument 'version'");
    });
  });

  describe('restart', () => {
    it('POSTs /restart, with force=true only under --force', async () => {
      master = await startFakeMaster({ 'POST /v2/apps/db/restart': { body: { deploymentId: 'd-7', version: 'v7' } } });
      expect((await cairn(['apps', 'restart', 'db'])).out).toBe('Restarting /db: deployment d-7, version v7\n');
      await cairn(['apps', 'restart', 'db', '--force']);
      expect(master.requests.map((r) => r.query.toString())).toEqual(['', 'force=true']);
    });
  });

  describe('server failures', () => {
    it('exits 4 and prints Retry-After for a 503 while the master is not ready', async () => {
      master = await startFakeMaster({
        'GET /v2/apps': { status: 503, body: { message: 'replaying the log' }, headers: { 'retry-after': '5' } },
      });
      const { code, err } = await cairn(['apps', 'list']);
      expect(code).toBe(ExitCode.ServerError);
      expect(err).toContain('replaying the log');
      expect(err).toContain('HTTP 503');
      expect(err).toContain('Retry-After: 5 seconds');
    });

    it('exits 4 for a 500 whose body is not JSON', async () => {
      master = await startFakeMaster({ 'GET /v2/apps': { status: 500, text: 'boom' } });
      const { code, err } = await cairn(['apps', 'list']);
      expect(code).toBe(ExitCode.ServerError);
      expect(err).toContain('the master failed: boom (HTTP 500');
    });

    it('exits 4 when a 200 answer is not JSON', async () => {
      master = await startFakeMaster({ 'GET /v2/apps': { status: 200, text: '<html>' } });
      const { code, err } = await cairn(['apps', 'list']);
      expect(code).toBe(ExitCode.ServerError);
      expect(err).toContain('the answer is not JSON');
    });
  });

  it('exits 3 naming the URL when nothing listens there, without a stack trace', async () => {
    const url = await unusedUrl();
    const io = captureIo();
    const code = await run(['apps', 'list', '--master', url], io);
    expect(code).toBe(ExitCode.Unreachable);
    expect(io.err()).toBe(
      `error: cannot reach the master at ${url}/v2/apps: connection refused: is the master running? (ECONNREFUSED)\n` +
        `${MASTER_URL_HINT}\n`,
    );
  });

  it('finds the master on CAIRN_PORT, as `CAIRN_PORT=… npm start` runs it, when CAIRN_MASTER is not set', async () => {
    master = await startFakeMaster({ 'GET /v2/apps': { body: { apps: [] } } });
    const port = new URL(master.url).port;
    const io = captureIo({ env: { CAIRN_PORT: port } });
    expect(await run(['apps', 'list'], io)).toBe(ExitCode.Ok);
    // CAIRN_MASTER still wins, and the error names where the URL came from.
    const url = await unusedUrl();
    const refused = captureIo({ env: { CAIRN_PORT: port, CAIRN_MASTER: url } });
    expect(await run(['apps', 'list'], refused)).toBe(ExitCode.Unreachable);
    expect(refused.err()).toContain(`cannot reach the master at ${url}/v2/apps`);
    expect(refused.err()).toContain('CAIRN_MASTER');
  });
});
