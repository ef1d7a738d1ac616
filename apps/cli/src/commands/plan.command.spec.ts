import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';

const answer = {
  dryRun: true,
  decidedAtOffset: 41,
  events: [
    { id: 'e1', type: 'AppScaled' },
    { id: 'e2', type: 'DeploymentStarted' },
    { id: 'e3', type: 'OffersMade' },
    { id: 'e4', type: 'OfferAccepted' },
    { id: 'e5', type: 'TaskLaunched' },
    { id: 'e6', type: 'OfferDeclined' },
  ],
  decisions: [
    { command: 'UpdateApp', commandId: 'c1', eventIds: ['e1', 'e2'] },
    { command: 'Tick', commandId: 'c2', eventIds: ['e3', 'e4', 'e5', 'e6'] },
  ],
  deployment: { id: 'd-1', steps: [{ actions: [{ action: 'ScaleApplication', app: '/web' }] }] },
  cancelledDeployments: [],
  placements: [{ taskId: 'web.t2', appId: '/web', agentId: 'a-2', host: 'host-b', ports: [31001] }],
  kills: [],
  declined: [
    {
      agentId: 'a-1',
      host: 'host-a',
      reasons: { '/web': [{ reason: 'InsufficientCpus', requested: 1, available: 0 }] },
    },
  ],
  notes: ['Only the first scheduler tick is shown.'],
};

describe('cairn plan', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  async function cairn(args: string[], stdin?: string) {
    const io = captureIo(stdin === undefined ? {} : { stdin });
    const code = await run([...args, '--master', master!.url], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('--scale asks for a dry run of the scale and prints the plan in words', async () => {
    master = await startFakeMaster({
      'GET /v2/apps/web': { body: { app: { id: '/web' } } },
      'PUT /v2/apps/web': { body: answer },
    });
    const { code, out, err } = await cairn(['plan', '--scale', 'web', '3']);
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    const put = master.requests.find((r) => r.method === 'PUT')!;
    expect(`${put.path}?${put.query.toString()}`).toBe('/v2/apps/web?dryRun=true&partialUpdate=true');
    expect(JSON.parse(put.body)).toEqual({ instances: 3 });
    expect(out.split('\n')).toEqual([
      'Dry run on the state at log offset 41: nothing was written.',
      'The write (UpdateApp) would append: AppScaled, DeploymentStarted.',
      'Deployment d-1, 1 step:',
      '  1. ScaleApplication /web',
      'The next scheduler tick would:',
      '  launch web.t2 on a-2 (host-b), ports 31001',
      '  not place /web on a-1 (host-a): InsufficientCpus (requested 1, available 0)',
      'Notes:',
      '  - Only the first scheduler tick is shown.',
      '',
    ]);
  });

  it('--restart, --delete and FILE go to the write they plan, with dryRun=true', async () => {
    master = await startFakeMaster({
      'POST /v2/apps/web/restart': { body: answer },
      'DELETE /v2/apps/web': { body: answer },
      'PUT /v2/apps/web': { body: answer },
    });
    expect((await cairn(['plan', '--restart', '/web', '--force'])).code).toBe(ExitCode.Ok);
    expect((await cairn(['plan', '--delete', '/web', '--json'])).out).toContain('"dryRun": true');
    expect((await cairn(['plan', '-'], JSON.stringify({ id: '/web', cmd: 'sleep 5', env: { A: '1' } }))).code).toBe(
      ExitCode.Ok,
    );
    expect(master.requests.map((r) => `${r.method} ${r.path}?${r.query.toString()}`)).toEqual([
      'POST /v2/apps/web/restart?dryRun=true&force=true',
      'DELETE /v2/apps/web?dryRun=true',
      'PUT /v2/apps/web?dryRun=true&partialUpdate=true',
    ]);
  });

  it('refuses no write or two writes, and an app file without an id, before any request', async () => {
    master = await startFakeMaster({});
    expect((await cairn(['plan'])).code).toBe(ExitCode.Usage);
    expect((await cairn(['plan', '--restart', '/a', '--delete', '/b'])).code).toBe(ExitCode.Usage);
    expect((await cairn(['plan', '-'], '{"cmd":"sleep 1"}')).err).toMatch(/no app id/);
    expect(master.requests).toEqual([]);
  });

  it("passes the master's refusal on as the write's (409 locked: exit 1)", async () => {
    master = await startFakeMaster({
      'POST /v2/apps/web/restart': {
        status: 409,
        body: { message: 'App is locked by one or more deployments.', deployments: [{ id: 'd-1' }] },
      },
    });
    const { code, err } = await cairn(['plan', '--restart', 'web']);
    expect(code).toBe(ExitCode.Refused);
    expect(err).toMatch(/locked/);
  });
});
