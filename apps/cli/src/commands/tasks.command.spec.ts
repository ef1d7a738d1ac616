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
});
