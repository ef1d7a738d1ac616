import { join } from 'node:path';
import { rewriteRecordValue } from '@cairn/eventlog/testing/file-log-surgery';
import {
  allEvents,
  cli,
  describeEachBackend,
  MasterHandle,
  skipLogVerification,
  startMaster,
  waitFor,
} from '../harness';

jest.setTimeout(180_000);

/** Small, so the leader records SnapshotWritten events within the test. */
const SNAPSHOT_EVERY = 10;
const EXIT_VERIFY_FAILED = 6;

interface Report {
  records: number;
  chain: { start: number | null; chained: number; unchainedBefore: number };
  checkpoints: { source: string; offset: number; matches: boolean | null }[];
  failure: { kind: string; offset: number | null } | null;
}

/** `cairn verify --json` on the master's log, named by flags (no CAIRN_* log variables). */
async function verify(
  master: MasterHandle,
  ...extra: string[]
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const env = master.cliEnv();
  const where =
    master.backend === 'kafka'
      ? ['--brokers', env.KAFKA_BROKERS, '--cluster', master.cluster]
      : ['--log', 'file', '--data-dir', master.dataDir];
  const result = await cli(['verify', '--json', ...where, ...extra], { env: {}, timeoutMs: 60_000 });
  try {
    return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
  } catch {
    throw new Error(`cairn verify printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

describeEachBackend('cairn verify', (backend) => {
  let master: MasterHandle | undefined;

  afterEach(async () => {
    await master?.stop();
    master = undefined;
  });

  it("passes on a log a real master wrote: chained from its first record, every recorded hash and the leader's match", async () => {
    const m = (master = await startMaster({ backend, env: { CAIRN_SNAPSHOT_EVERY: String(SNAPSHOT_EVERY) } }));
    for (let i = 0; i < 6; i++) {
      expect((await m.http.post('/v2/apps', { id: `/verify/a-${i}`, cmd: 'sleep 100', instances: 0 })).status).toBe(
        201,
      );
    }
    await waitFor(async () => ((await allEvents(m, ['SnapshotWritten'])).length > 0 ? true : undefined), {
      timeoutMs: 30_000,
      describe: 'a SnapshotWritten recorded',
      onTimeout: () => m.describeLogs(),
    });
    const { code, report, stderr } = await verify(m, '--master', m.url);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(report.failure).toBeNull();
    expect(report.chain).toEqual({ start: 0, chained: report.records, unchainedBefore: 0 });
    const sources = report.checkpoints.map((c) => [c.source, c.matches]);
    expect(sources).toContainEqual(['snapshot', true]);
    expect(sources).toContainEqual(['leader', true]);
    expect(report.checkpoints.every((c) => c.matches === true)).toBe(true);
  });

  if (backend === 'file') {
    it('names the offset of an AppScaled rewritten in the stopped master’s log with a valid CRC and schema', async () => {
      const m = (master = await startMaster({ backend }));
      expect((await m.http.post('/v2/apps', { id: '/verify/web', cmd: 'sleep 100', instances: 0 })).status).toBe(201);
      expect((await m.http.put('/v2/apps/verify/web', { instances: 3 })).status).toBe(200);
      const [event] = await allEvents(m, ['AppScaled']);
      await m.stop();
      skipLogVerification(m, 'this test rewrites an event of its log');
      rewriteRecordValue(join(m.dataDir, 'log', '00000000000000000000.log'), event.offset, (value) =>
        value.replace('"instances":3', '"instances":5'),
      );
      const { code, report, stderr } = await verify(m);
      expect(code).toBe(EXIT_VERIFY_FAILED);
      expect(report.failure).toMatchObject({ kind: 'chain', offset: event.offset });
      expect(stderr).toContain(`verify failed at offset ${event.offset} (chain)`);
    });
  }
});
