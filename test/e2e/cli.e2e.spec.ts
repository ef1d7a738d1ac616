import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, CliResult, freePort, FIXTURES_DIR, Json, MasterHandle, startCli, startMaster, tempDir } from '../harness';

jest.setTimeout(60_000);

/** The exit codes `cairn --help` documents (apps/cli/src/exit-codes.ts). */
const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

function describeRun(result: CliResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${describeRun(result)}`);
}

function parseJson(result: CliResult): Json {
  expectExit(result, EXIT.ok);
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document: ${describeRun(result)}`);
  }
}

function parseJsonLines(stdout: string): Json[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line));
}

describe('cairn CLI against a master [file]', () => {
  let master: MasterHandle;
  let work: string;
  const run = (args: string[], options: { stdin?: string } = {}) => cli(args, { env: master.cliEnv(), ...options });

  beforeAll(async () => {
    master = await startMaster({ backend: 'file' });
    work = tempDir('cli-e2e');
  }, 60_000);

  afterAll(async () => {
    await master?.stop();
  });

  it('apps create FILE, list --json, show, scale, delete: each visible through the API', async () => {
    const file = join(FIXTURES_DIR, 'apps', 'nested-web.json');
    const created = await run(['apps', 'create', file, '--json']);
    const app = parseJson(created);
    expect(app).toMatchObject({ id: '/prod/web/frontend', instances: 3, cpus: 0.25 });
    expect((await master.http.get('/v2/apps/prod/web/frontend')).body.app).toEqual(app);

    // Human output names the app too.
    const human = await run(['apps', 'create', join(FIXTURES_DIR, 'apps', 'tuned-app.json')]);
    expectExit(human, EXIT.ok);
    expect(human.stdout).toContain('/tuned/worker');

    const list = parseJson(await run(['apps', 'list', '--json']));
    expect(list.apps.map((a: { id: string }) => a.id).sort()).toEqual(['/prod/web/frontend', '/tuned/worker']);
    expect(list).toEqual((await master.http.get('/v2/apps')).body);

    const table = await run(['apps', 'list']);
    expectExit(table, EXIT.ok);
    expect(table.stdout).toContain('/prod/web/frontend');
    expect(table.stdout).toContain('/tuned/worker');

    const shown = parseJson(await run(['apps', 'show', '/prod/web/frontend', '--json']));
    expect(shown).toEqual({ app });
    const shownHuman = await run(['apps', 'show', 'prod/web/frontend']);
    expectExit(shownHuman, EXIT.ok);
    expect(shownHuman.stdout).toContain('/prod/web/frontend');

    // No agent: the app's first deployment still runs, so the scale is forced.
    const scaled = await run(['apps', 'scale', '/prod/web/frontend', '5', '--force']);
    expectExit(scaled, EXIT.ok);
    const afterScale = (await master.http.get('/v2/apps/prod/web/frontend')).body.app;
    expect(afterScale.instances).toBe(5);
    expect(afterScale.versionInfo.lastConfigChangeAt).toBe(app.versionInfo.lastConfigChangeAt);

    const deleted = await run(['apps', 'delete', 'prod/web/frontend']);
    expectExit(deleted, EXIT.ok);
    expect((await master.http.get('/v2/apps/prod/web/frontend')).status).toBe(404);
  });

  it('apps create - reads the definition from stdin', async () => {
    const result = await run(['apps', 'create', '-', '--json'], {
      stdin: JSON.stringify({ id: '/from/stdin', cmd: 'sleep 1' }),
    });
    expect(parseJson(result).id).toBe('/from/stdin');
  });

  it('events tail --json prints every event of the log, in order, matching /v1/events', async () => {
    expectExit(
      await run(['apps', 'create', '-'], { stdin: JSON.stringify({ id: '/tail/a', cmd: 'sleep 1' }) }),
      EXIT.ok,
    );
    // No agent: the app's first deployment is still in progress, so the scale is forced.
    expectExit(await run(['apps', 'scale', '/tail/a', '2']), EXIT.refused);
    expectExit(await run(['apps', 'scale', '/tail/a', '2', '--force']), EXIT.ok);
    expectExit(await run(['apps', 'delete', '/tail/a']), EXIT.ok);

    const result = await run(['events', 'tail', '--json']);
    expectExit(result, EXIT.ok);
    const events = parseJsonLines(result.stdout);
    const offsets = events.map((e) => e.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(events[0].type).toBe('LeaderElected');
    const tailA = events.filter((e) => (e.data.app?.id ?? e.data.appId) === '/tail/a').map((e) => e.type);
    expect(tailA).toEqual(['AppCreated', 'AppScaled', 'AppDeleted']);

    const api = await master.http.get('/v1/events?from=0&limit=1000');
    expect(events).toEqual(api.body.events);

    // --from and --type narrow it down.
    const from = events[events.length - 2].offset;
    const narrowed = parseJsonLines((await run(['events', 'tail', '--json', '--from', String(from)])).stdout);
    expect(narrowed).toEqual(events.slice(-2));
    const typed = parseJsonLines((await run(['events', 'tail', '--json', '--type', 'AppScaled'])).stdout);
    expect(typed.every((e) => e.type === 'AppScaled')).toBe(true);
    expect(typed.length).toBeGreaterThanOrEqual(1);
  });

  it('events tail --follow prints an event written after it started', async () => {
    const end = (await master.info()).endOffset;
    const follower = startCli(['events', 'tail', '--follow', '--json', '--from', String(end)], {
      env: master.cliEnv(),
    });
    try {
      // Write only once the stream is open: the first create happens before, the second after
      // the follower has printed the first, so the second surely arrives over the live stream.
      const first = await master.http.post('/v2/apps', { id: '/follow/first', cmd: 'sleep 1' });
      expect(first.status).toBe(201);
      await follower.waitForLine((line) => line.includes('/follow/first'), { describe: 'the first followed event' });
      const second = await master.http.post('/v2/apps', { id: '/follow/second', cmd: 'sleep 1' });
      expect(second.status).toBe(201);
      const line = await follower.waitForLine((l) => l.includes('/follow/second'), {
        describe: 'the second followed event',
      });
      const event = JSON.parse(line);
      // The write's offset is its last event's (its deployment follows the AppCreated).
      expect(event.type).toBe('AppCreated');
      expect(event.offset).toBeLessThan(Number(second.headers['x-cairn-offset']));
      expect(follower.process.exitStatus()).toBeUndefined();
      const printed = follower
        .lines()
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'AppCreated')
        .map((e) => e.data.app.id);
      expect(printed).toEqual(['/follow/first', '/follow/second']);
    } finally {
      const status = await follower.stop();
      // SIGTERM (like Ctrl-C) is the normal way out of a follow: a clean exit 0.
      expect(status).toEqual({ code: 0, signal: null });
    }
  });

  it('exit 1 (refused) for an unknown app, with the API message on stderr', async () => {
    for (const args of [
      ['apps', 'show', '/no/such/app'],
      ['apps', 'scale', '/no/such/app', '3'],
      ['apps', 'delete', '/no/such/app'],
    ]) {
      const result = await run(args);
      expectExit(result, EXIT.refused);
      expect(result.stderr).toContain("App '/no/such/app' does not exist");
      expect(result.stdout).toBe('');
    }
    // scale must not have created the app (PUT on a missing id would).
    expect((await master.http.get('/v2/apps/no/such/app')).status).toBe(404);
  });

  it('exit 1 for an app the API refuses (422), with the details on stderr', async () => {
    const file = join(work, 'invalid-app.json');
    writeFileSync(file, JSON.stringify({ id: '/cli/bad', cmd: 'sleep 1', cpus: -1 }));
    const result = await run(['apps', 'create', file]);
    expectExit(result, EXIT.refused);
    expect(result.stderr).toContain('/cpus');
  });

  it('exit 2 for an input file that is missing or not JSON, and for bad arguments', async () => {
    const notJson = join(work, 'not-json.json');
    writeFileSync(notJson, '{ "id": "/x", ');
    for (const args of [
      ['apps', 'create', notJson],
      ['apps', 'create', join(work, 'missing.json')],
      ['apps', 'scale', '/x', 'many'],
    ]) {
      const result = await run(args);
      expectExit(result, EXIT.usage);
      expect(result.stderr.length).toBeGreaterThan(0);
    }
    // Nothing reached the master.
    expect((await master.http.get('/v2/apps/x')).status).toBe(404);
  });

  it('exit 3 when the master cannot be reached, naming the URL', async () => {
    const port = await freePort(); // nobody listens there
    const url = `http://127.0.0.1:${port}`;
    for (const args of [
      ['apps', 'list'],
      ['apps', 'show', '/a'],
      ['events', 'tail'],
    ]) {
      const result = await cli(args, { env: { CAIRN_MASTER: url } });
      expectExit(result, EXIT.unreachable);
      expect(result.stderr).toContain(url);
    }
    const viaFlag = await cli(['apps', 'list', '--master', url]);
    expectExit(viaFlag, EXIT.unreachable);
  });
});
