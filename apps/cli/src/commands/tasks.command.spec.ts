import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';

const MINUTE_MS = 60_000;
const isoAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

const running = {
  id: 'prod_web.5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50',
  appId: '/prod/web',
  host: 'node-a',
  ports: [31001, 31002],
  slaveId: 'a1',
  stagedAt: isoAgo(5 * MINUTE_MS),
  // 3 hours 20 minutes ago: the age reads 3h20m however slowly the test runs.
  startedAt: isoAgo(200 * MINUTE_MS),
  state: 'TASK_RUNNING',
  version: '2025-01-02T03:04:05.000Z',
  ipAddresses: [],
  healthCheckResults: [],
};
const staging = {
  ...running,
  id: 'db.0b1c2d3e-aaaa-4c8e-9a7f-5f0c2a9e1d4b',
  appId: '/db',
  host: 'node-b',
  ports: [],
  startedAt: undefined,
  state: 'TASK_STAGING',
};

describe('cairn tasks', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  async function cairn(args: string[]) {
    const io = captureIo();
    const code = await run(['tasks', '--master', master!.url, ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('lists every task: id, app, host, state, ports and how long ago it started', async () => {
    master = await startFakeMaster({ 'GET /v2/tasks': { body: { tasks: [running, staging] } } });
    const { code, out, err } = await cairn([]);
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s{2,}/)),
    ).toEqual([
      ['ID', 'APP', 'HOST', 'STATE', 'PORTS', 'STARTED'],
      [running.id, '/prod/web', 'node-a', 'RUNNING', '31001,31002', '3h20m'],
      [staging.id, '/db', 'node-b', 'STAGING', '-', '-'],
    ]);
  });

  it("lists one app's tasks from /v2/apps/{id}/tasks, with or without the leading slash", async () => {
    master = await startFakeMaster({ 'GET /v2/apps/prod/web/tasks': { body: { tasks: [running] } } });
    for (const id of ['/prod/web', 'prod/web']) {
      const { code, out } = await cairn([id]);
      expect(code).toBe(0);
      expect(out).toContain(running.id);
    }
    expect(master.requests.map((r) => r.path)).toEqual(['/v2/apps/prod/web/tasks', '/v2/apps/prod/web/tasks']);
  });

  it('says so when there are no tasks', async () => {
    master = await startFakeMaster({ 'GET /v2/tasks': { body: { tasks: [] } } });
    expect(await cairn([])).toEqual({ code: 0, out: 'No tasks.\n', err: '' });
  });

  it('--json prints the API answer unchanged', async () => {
    master = await startFakeMaster({ 'GET /v2/apps/db/tasks': { body: { tasks: [staging] } } });
    const { code, out } = await cairn(['/db', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ tasks: [JSON.parse(JSON.stringify(staging))] });
  });

  it('exits 1 with the API message for an unknown app', async () => {
    master = await startFakeMaster({
      'GET /v2/apps/nope/tasks': { status: 404, body: { message: "App '/nope' does not exist" } },
    });
    const { code, out, err } = await cairn(['/nope']);
    expect({ code, out }).toEqual({ code: ExitCode.Refused, out: '' });
    expect(err).toContain("App '/nope' does not exist (HTTP 404 from GET ");
  });

  it('exits 2 for an app id with no segment, asking nothing', async () => {
    master = await startFakeMaster({});
    const { code, err } = await cairn(['/']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toContain("'/' is not an app id");
    expect(master.requests).toHaveLength(0);
  });

  describe('kill', () => {
    const killPath = `/v2/apps/prod/web/tasks/${running.id}`;

    async function kill(args: string[]) {
      const io = captureIo();
      const code = await run(['tasks', 'kill', ...args, '--master', master!.url], io);
      return { code, out: io.out(), err: io.err() };
    }

    it('finds the app from a Cairn task id and DELETEs the task, without query by default', async () => {
      master = await startFakeMaster({ [`DELETE ${killPath}`]: { body: { task: running } } });
      const { code, out, err } = await kill([running.id]);
      expect({ code, out, err }).toEqual({
        code: ExitCode.Ok,
        out: `Killing task ${running.id} of /prod/web on node-a.\n`,
        err: '',
      });
      expect(master.requests).toHaveLength(1);
      expect(master.requests[0].query.toString()).toBe('');
    });

    it('--scale reports the deployment that lowers instances', async () => {
      master = await startFakeMaster({ [`DELETE ${killPath}`]: { body: { deploymentId: 'd-8', version: 'v8' } } });
      const { code, out } = await kill([running.id, '--scale', '--force']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe(`Killing task ${running.id} and scaling /prod/web down: deployment d-8, version v8\n`);
      expect(Object.fromEntries(master.requests[0].query)).toEqual({ scale: 'true', force: 'true' });
    });

    it('--wipe sends wipe=true; --json prints the API answer', async () => {
      master = await startFakeMaster({ [`DELETE ${killPath}`]: { body: { task: running } } });
      const { out } = await kill([running.id, '--wipe', '--json']);
      expect(JSON.parse(out)).toEqual({ task: JSON.parse(JSON.stringify(running)) });
      expect(Object.fromEntries(master.requests[0].query)).toEqual({ wipe: 'true' });
    });

    it('--app is used as given, the task id URL-encoded', async () => {
      master = await startFakeMaster({ 'DELETE /v2/apps/db/tasks/odd%2Fid': { body: { task: { id: 'odd/id' } } } });
      const { code, out } = await kill(['odd/id', '--app', 'db']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe('Killing task odd/id of /db.\n');
    });

    it('looks the app up in /v2/tasks for an id not of the Cairn shape', async () => {
      const marathonId = 'prod_web.instance-5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50._app.1';
      master = await startFakeMaster({
        'GET /v2/tasks': { body: { tasks: [staging, { ...running, id: marathonId }] } },
        [`DELETE /v2/apps/prod/web/tasks/${marathonId}`]: { body: { task: running } },
      });
      const { code } = await kill([marathonId]);
      expect(code).toBe(ExitCode.Ok);
      expect(master.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /v2/tasks',
        `DELETE /v2/apps/prod/web/tasks/${marathonId}`,
      ]);
    });

    it('exits 1 when the looked-up task is not listed', async () => {
      master = await startFakeMaster({ 'GET /v2/tasks': { body: { tasks: [running] } } });
      const { code, err } = await kill(['no-such-task']);
      expect(code).toBe(ExitCode.Refused);
      expect(err).toBe('error: no task no-such-task among the tasks the master lists (it may have ended already)\n');
      expect(master.requests.map((r) => r.method)).toEqual(['GET']);
    });

    it('exits 1 with the API message for a task the master does not know', async () => {
      master = await startFakeMaster({
        [`DELETE ${killPath}`]: { status: 404, body: { message: `Task '${running.id}' does not exist` } },
      });
      const { code, out, err } = await kill([running.id]);
      expect({ code, out }).toEqual({ code: ExitCode.Refused, out: '' });
      expect(err).toContain(`Task '${running.id}' does not exist (HTTP 404 from DELETE `);
    });

    it('exits 1 with the lock hint for a 409 under --scale', async () => {
      master = await startFakeMaster({
        [`DELETE ${killPath}`]: {
          status: 409,
          body: { message: 'App is locked by one or more deployments.', deployments: [{ id: 'd-9' }] },
        },
      });
      const { code, err } = await kill([running.id, '--scale']);
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain('\n  locked by deployment d-9: retry with --force (cancels the deployment)\n');
    });

    it('takes --master and --json given before the subcommand', async () => {
      master = await startFakeMaster({ [`DELETE ${killPath}`]: { body: { task: running } } });
      const io = captureIo();
      const code = await run(['tasks', '--master', master.url, '--json', 'kill', running.id], io);
      expect(code).toBe(ExitCode.Ok);
      expect(JSON.parse(io.out())).toEqual({ task: JSON.parse(JSON.stringify(running)) });
    });

    describe('--all', () => {
      it('DELETEs every task of the app and lists the killed ones', async () => {
        master = await startFakeMaster({ 'DELETE /v2/apps/prod/web/tasks': { body: { tasks: [running] } } });
        const { code, out } = await kill(['--app', '/prod/web', '--all']);
        expect(code).toBe(ExitCode.Ok);
        const lines = out.trimEnd().split('\n');
        expect(lines[0]).toBe('Killing 1 task(s) of /prod/web:');
        expect(lines[1]).toMatch(/^ID\s+APP\s+HOST/);
        expect(lines[2]).toContain(running.id);
        expect(master.requests[0].query.toString()).toBe('');
      });

      it('--host and --scale narrow it and lower instances', async () => {
        master = await startFakeMaster({
          'DELETE /v2/apps/prod/web/tasks': { body: { deploymentId: 'd-10', version: 'v10' } },
        });
        const { out } = await kill(['--app', 'prod/web', '--all', '--host', 'node-a', '--scale']);
        expect(out).toBe(
          'Killing the tasks of /prod/web on node-a and scaling it down: deployment d-10, version v10\n',
        );
        expect(Object.fromEntries(master.requests[0].query)).toEqual({ host: 'node-a', scale: 'true' });
      });

      it('says so when no task matched', async () => {
        master = await startFakeMaster({ 'DELETE /v2/apps/db/tasks': { body: { tasks: [] } } });
        const { out } = await kill(['--app', 'db', '--all', '--host', 'node-z']);
        expect(out).toBe('No tasks of /db on node-z to kill.\n');
      });

      it('--json prints the API answer', async () => {
        master = await startFakeMaster({ 'DELETE /v2/apps/db/tasks': { body: { tasks: [] } } });
        const { out } = await kill(['--app', 'db', '--all', '--json']);
        expect(JSON.parse(out)).toEqual({ tasks: [] });
      });
    });

    it.each([
      {
        name: '--scale with --wipe',
        args: [running.id, '--scale', '--wipe'],
        message: '--scale and --wipe cannot be combined',
      },
      { name: 'no task id and no --all', args: [], message: 'give a task id to kill, or --app APP --all' },
      {
        name: 'a task id and --all',
        args: [running.id, '--app', '/a', '--all'],
        message: 'give a task id or --all, not both',
      },
      { name: '--all without --app', args: ['--all'], message: '--all needs --app APP' },
      {
        name: '--host without --all',
        args: [running.id, '--host', 'node-a'],
        message: '--host only goes with --app APP --all',
      },
    ])('exits 2 for $name, before any request', async ({ args, message }) => {
      master = await startFakeMaster({});
      const { code, out, err } = await kill(args);
      expect({ code, out }).toEqual({ code: ExitCode.Usage, out: '' });
      expect(err).toContain(`error: ${message}`);
      expect(master.requests).toHaveLength(0);
    });
  });
});
