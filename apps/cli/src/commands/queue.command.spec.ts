import { ExitCode } from '../exit-codes';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';
import { runCairn } from '../testing/run-cairn';

const item = {
  app: { id: '/prod/web', cmd: 'sleep 100', instances: 3 },
  count: 2,
  role: '*',
  delay: { timeLeftSeconds: 75, overdue: false },
  since: new Date(Date.now() - 200 * 60_000).toISOString(),
  processedOffersSummary: {
    processedOffersCount: 4,
    unusedOffersCount: 4,
    rejectSummaryLastOffers: [{ reason: 'InsufficientMemory', declined: 4, processed: 4 }],
  },
};

describe('cairn queue', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  const cairn = (args: string[]) => runCairn(master!.url, args);

  describe('list (the default)', () => {
    it('prints one row per queued app', async () => {
      master = await startFakeMaster({ 'GET /v2/queue': { body: { queue: [item] } } });
      for (const args of [['queue'], ['queue', 'list']]) {
        const { code, out, err } = await cairn(args);
        expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
        expect(
          out
            .trimEnd()
            .split('\n')
            .map((line) => line.split(/\s{2,}/)),
        ).toEqual([
          ['APP', 'WAITING', 'DELAY', 'SINCE', 'UNUSED OFFERS', 'DECLINED BY'],
          ['/prod/web', '2', '1m15s', '3h20m', '4 of 4', 'InsufficientMemory 4'],
        ]);
      }
    });

    it('says so when nothing waits', async () => {
      master = await startFakeMaster({ 'GET /v2/queue': { body: { queue: [] } } });
      expect(await cairn(['queue'])).toEqual({ code: 0, out: 'Nothing waiting to launch.\n', err: '' });
    });

    it('--json prints the API answer unchanged', async () => {
      master = await startFakeMaster({ 'GET /v2/queue': { body: { queue: [item] } } });
      const { out } = await cairn(['queue', '--json']);
      expect(JSON.parse(out)).toEqual({ queue: [item] });
    });
  });

  describe('reset-delay', () => {
    it('DELETEs the delay of the nested app and says what it changes', async () => {
      master = await startFakeMaster({ 'DELETE /v2/queue/prod/web/delay': { status: 204 } });
      const { code, out, err } = await cairn(['queue', 'reset-delay', 'prod/web']);
      expect({ code, out, err }).toEqual({
        code: ExitCode.Ok,
        out: 'Reset the launch delay of /prod/web: it launches at the next offer that fits.\n',
        err: '',
      });
      expect(master.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /v2/queue/prod/web/delay']);
    });

    it('--json prints {} for the empty 204', async () => {
      master = await startFakeMaster({ 'DELETE /v2/queue/db/delay': { status: 204 } });
      const { code, out } = await cairn(['queue', 'reset-delay', '/db', '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({});
    });

    it('exits 1 with the API message when the app is not queued', async () => {
      master = await startFakeMaster({
        'DELETE /v2/queue/db/delay': { status: 404, body: { message: 'Application /db not found in tasks queue.' } },
      });
      const { code, out, err } = await cairn(['queue', 'reset-delay', '/db']);
      expect({ code, out }).toEqual({ code: ExitCode.Refused, out: '' });
      expect(err).toContain('error: Application /db not found in tasks queue. (HTTP 404 from DELETE ');
    });

    it('exits 2 for an app id with no segment or none at all, asking nothing', async () => {
      master = await startFakeMaster({});
      expect((await cairn(['queue', 'reset-delay', '/'])).code).toBe(ExitCode.Usage);
      const missing = await cairn(['queue', 'reset-delay']);
      expect(missing.code).toBe(ExitCode.Usage);
      expect(missing.err).toContain("missing required argument 'app-id'");
      expect(master.requests).toHaveLength(0);
    });
  });
});
