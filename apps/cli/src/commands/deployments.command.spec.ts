import { ExitCode } from '../exit-codes';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';
import { runCairn, tableCells } from '../testing/run-cairn';

const info = {
  id: 'd-1',
  version: '2025-01-02T03:04:05.000Z',
  affectedApps: ['/prod/web', '/db'],
  affectedPods: [],
  steps: [
    { actions: [{ action: 'StartApplication', app: '/db' }] },
    { actions: [{ action: 'ScaleApplication', app: '/prod/web' }] },
  ],
  currentActions: [{ action: 'ScaleApplication', app: '/prod/web', readinessCheckResults: [] }],
  currentStep: 2,
  totalSteps: 2,
};
const progress = [
  {
    action: 'ScaleApplication',
    app: '/prod/web',
    waitingFor: '1 of 3 new tasks healthy and ready, 0 old tasks left',
    launchNow: 2,
    killNow: [],
    queueReasons: [{ reason: 'InsufficientCpus', requested: 2, available: 1 }],
  },
];
const detail = {
  ...info,
  request: { actor: 'anonymous', remoteAddress: '10.0.0.5', method: 'PUT', path: '/v2/apps/prod/web', requestId: 'r1' },
  progress,
};
const other = {
  ...info,
  id: 'd-2',
  affectedApps: ['/a'],
  currentActions: [{ action: 'StopApplication', app: '/a' }],
  currentStep: 1,
  totalSteps: 1,
};

describe('cairn deployments', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  const cairn = (args: string[]) => runCairn(master!.url, args);

  const cells = tableCells;

  describe('list (the default)', () => {
    it('lists each deployment with its apps, step and what it waits for, from one /v1 request', async () => {
      master = await startFakeMaster({
        'GET /v2/deployments': { body: [info, other] },
        'GET /v1/deployments': {
          body: {
            deployments: [detail, { ...other, progress: [{ action: 'StopApplication', app: '/a', waitingFor: null }] }],
          },
        },
      });
      for (const args of [['deployments'], ['deployments', 'list']]) {
        const { code, out, err } = await cairn(args);
        expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
        expect(cells(out)).toEqual([
          ['ID', 'APPS', 'STEP', 'WAITING FOR'],
          [
            'd-1',
            '/prod/web,/db',
            '2/2',
            'ScaleApplication /prod/web: 1 of 3 new tasks healthy and ready, 0 old tasks left',
          ],
          ['d-2', '/a', '1/1', 'StopApplication /a: done'],
        ]);
      }
      expect(master.requests.map((r) => r.path)).toEqual([
        '/v2/deployments',
        '/v1/deployments',
        '/v2/deployments',
        '/v1/deployments',
      ]);
    });

    it('falls back to the current actions, with a note, when the master has no /v1/deployments', async () => {
      master = await startFakeMaster({ 'GET /v2/deployments': { body: [info] } });
      const { code, out, err } = await cairn(['deployments']);
      expect(code).toBe(ExitCode.Ok);
      expect(cells(out)[1]).toEqual(['d-1', '/prod/web,/db', '2/2', 'ScaleApplication /prod/web']);
      expect(err).toBe('note: no progress from /v1/deployments (HTTP 404): showing the current actions\n');
    });

    it('names the current actions of a deployment /v1 does not list yet (it started in between)', async () => {
      master = await startFakeMaster({
        'GET /v2/deployments': { body: [info] },
        'GET /v1/deployments': { body: { deployments: [] } },
      });
      const { out } = await cairn(['deployments']);
      expect(cells(out)[1][3]).toBe('ScaleApplication /prod/web');
    });

    it('says so when there are none, asking nothing more', async () => {
      master = await startFakeMaster({ 'GET /v2/deployments': { body: [] } });
      expect(await cairn(['deployments'])).toEqual({ code: 0, out: 'No deployments in progress.\n', err: '' });
      expect(master.requests).toHaveLength(1);
    });

    it('--json prints the /v2 answer unchanged, also as the default command', async () => {
      master = await startFakeMaster({ 'GET /v2/deployments': { body: [info] } });
      const { code, out } = await cairn(['deployments', '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual([info]);
      expect(master.requests.map((r) => r.path)).toEqual(['/v2/deployments']);
    });
  });

  describe('show', () => {
    it('prints the fields, the steps with the current one marked, and what each action waits for', async () => {
      master = await startFakeMaster({ 'GET /v1/deployments/d-1': { body: detail } });
      const { code, out, err } = await cairn(['deployments', 'show', 'd-1']);
      expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
      const lines = out.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID:\s+d-1$/);
      expect(lines[1]).toMatch(/^VERSION:\s+2025-01-02T03:04:05\.000Z \(\S+ ago\)$/);
      expect(lines.slice(2)).toEqual([
        expect.stringMatching(/^APPS:\s+\/prod\/web, \/db$/),
        expect.stringMatching(/^STEP:\s+2\/2$/),
        expect.stringMatching(/^REQUESTED BY:\s+PUT \/v2\/apps\/prod\/web from 10\.0\.0\.5 by anonymous$/),
        '',
        'Steps:',
        '  1. StartApplication /db',
        '  2. ScaleApplication /prod/web  <- current',
        '',
        'Current actions:',
        '  ScaleApplication /prod/web: 1 of 3 new tasks healthy and ready, 0 old tasks left',
        '    now: launch 2',
        '    offers do not fit: InsufficientCpus (requested 2, available 1)',
      ]);
    });

    it('--json prints the /v1 detail unchanged', async () => {
      master = await startFakeMaster({ 'GET /v1/deployments/d-1': { body: detail } });
      const { out } = await cairn(['deployments', 'show', 'd-1', '--json']);
      expect(JSON.parse(out)).toEqual(detail);
    });

    it('falls back to the /v2 entry, without progress and with a note, on a master without /v1', async () => {
      master = await startFakeMaster({ 'GET /v2/deployments': { body: [other, info] } });
      const { code, out, err } = await cairn(['deployments', 'show', 'd-1']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toMatch(/^ID:\s+d-1$/m);
      expect(out).toMatch(/^REQUESTED BY:\s+-$/m);
      expect(out).toContain('  2. ScaleApplication /prod/web  <- current');
      expect(out).not.toContain('Current actions:');
      expect(err).toBe('note: /v1/deployments/d-1 answered 404: no progress from this master\n');
    });

    it('exits 1 with the API message for an unknown deployment', async () => {
      master = await startFakeMaster({
        'GET /v1/deployments/nope': { status: 404, body: { message: 'DeploymentPlan nope does not exist' } },
        'GET /v2/deployments': { body: [info] },
      });
      const { code, out, err } = await cairn(['deployments', 'show', 'nope']);
      expect({ code, out }).toEqual({ code: ExitCode.Refused, out: '' });
      expect(err).toContain('error: DeploymentPlan nope does not exist (HTTP 404 from GET ');
    });

    it('exits 4 when /v1 fails with a 5xx (no fallback hides a broken master)', async () => {
      master = await startFakeMaster({ 'GET /v1/deployments/d-1': { status: 500, body: { message: 'boom' } } });
      const { code } = await cairn(['deployments', 'show', 'd-1']);
      expect(code).toBe(ExitCode.ServerError);
      expect(master.requests).toHaveLength(1);
    });
  });

  describe('rollback', () => {
    it('DELETEs the deployment without force and reports the rollback deployment', async () => {
      master = await startFakeMaster({
        'DELETE /v2/deployments/d-1': {
          body: { deploymentId: 'd-3', version: 'v3' },
          headers: { 'x-cairn-offset': '40' },
        },
      });
      const { code, out } = await cairn(['deployments', 'rollback', 'd-1']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe('Rolling back d-1: deployment d-3, version v3, log offset 40\n');
      expect(master.requests[0].query.toString()).toBe('');
    });

    it('--json prints the deploymentResult', async () => {
      master = await startFakeMaster({
        'DELETE /v2/deployments/d-1': { body: { deploymentId: 'd-3', version: 'v3' } },
      });
      const { out } = await cairn(['deployments', 'rollback', 'd-1', '--json']);
      expect(JSON.parse(out)).toEqual({ deploymentId: 'd-3', version: 'v3' });
    });

    it('exits 1 for an unknown deployment', async () => {
      master = await startFakeMaster({
        'DELETE /v2/deployments/nope': { status: 404, body: { message: 'DeploymentPlan nope does not exist' } },
      });
      const { code, err } = await cairn(['deployments', 'rollback', 'nope']);
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain('DeploymentPlan nope does not exist');
    });
  });

  describe('cancel', () => {
    it('--force sends force=true and reports the stop on a 202 without a body', async () => {
      master = await startFakeMaster({ 'DELETE /v2/deployments/d-1': { status: 202 } });
      const { code, out, err } = await cairn(['deployments', 'cancel', 'd-1', '--force']);
      expect({ code, out, err }).toEqual({
        code: 0,
        out: 'Stopped deployment d-1 where it was (no rollback).\n',
        err: '',
      });
      expect(master.requests[0].query.get('force')).toBe('true');
    });

    it('--force --json prints {} for the empty 202', async () => {
      master = await startFakeMaster({ 'DELETE /v2/deployments/d-1': { status: 202 } });
      const { out } = await cairn(['deployments', 'cancel', 'd-1', '--force', '--json']);
      expect(JSON.parse(out)).toEqual({});
    });

    it('without --force rolls back, as Marathon does', async () => {
      master = await startFakeMaster({
        'DELETE /v2/deployments/d-1': { body: { deploymentId: 'd-3', version: 'v3' } },
      });
      const { out } = await cairn(['deployments', 'cancel', 'd-1']);
      expect(out).toBe('Rolling back d-1: deployment d-3, version v3\n');
      expect(master.requests[0].query.toString()).toBe('');
    });

    it('URL-encodes the id', async () => {
      master = await startFakeMaster({});
      await cairn(['deployments', 'cancel', 'a/b', '--force']);
      expect(master.requests[0].path).toBe('/v2/deployments/a%2Fb');
    });
  });
});
