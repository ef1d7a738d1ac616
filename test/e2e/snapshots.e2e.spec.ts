import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allEvents,
  cli,
  describeEachBackend,
  MasterHandle,
  offlineReplay,
  startMaster,
  stateHash,
  waitFor,
} from '../harness';

jest.setTimeout(180_000);

/** Small, so a handful of writes passes it (the default is 100,000). */
const SNAPSHOT_EVERY = 20;

interface InfoSnapshots {
  recovery: {
    snapshotOffset: number | null;
    snapshotVerified: boolean | null;
    replayedEvents: number;
    durationMs: number;
  } | null;
  snapshots: { backend: string; last: { offset: number; hash: string } | null };
}

async function info(master: MasterHandle): Promise<InfoSnapshots> {
  const res = await master.http.get<InfoSnapshots>('/v1/info');
  if (res.status !== 200) throw new Error(`GET /v1/info answered ${res.status}: ${res.text}`);
  return res.body;
}

async function createApps(master: MasterHandle, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await master.http.post('/v2/apps', { id: `/snap/${prefix}-${i}`, cmd: 'sleep 100', instances: 0 });
    expect(res.status).toBe(201);
  }
}

/** `cairn replay --to OFFSET --json`: a full replay of the log up to that offset, no snapshot used. */
async function replayTo(master: MasterHandle, offset: number): Promise<{ hash: string; offset: number }> {
  const result = await cli(['replay', '--to', String(offset), '--json'], { env: master.cliEnv(), timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`cairn replay exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as { hash: string; offset: number };
}

async function expectLiveEqualsReplay(master: MasterHandle): Promise<void> {
  const compared = await waitFor(
    async () => {
      const live = await stateHash(master);
      const replay = await offlineReplay(master);
      return live.offset === replay.offset ? { live, replay } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, describe: 'the live state hash and a replay at the same offset' },
  );
  expect(compared.live.hash).toBe(compared.replay.hash);
}

describeEachBackend('snapshots', (backend) => {
  let master: MasterHandle | undefined;

  afterEach(async () => {
    await master?.stop();
    master = undefined;
  });

  it('the leader snapshots as the log grows; a restarted master starts from the snapshot and replays only the rest', async () => {
    const m = (master = await startMaster({ backend, env: { CAIRN_SNAPSHOT_EVERY: String(SNAPSHOT_EVERY) } }));
    expect((await info(m)).recovery).toMatchObject({ snapshotOffset: null });
    await createApps(m, 'a', 12);

    const last = await waitFor(async () => (await info(m)).snapshots.last ?? undefined, {
      timeoutMs: 30_000,
      describe: 'a SnapshotWritten recorded',
      onTimeout: () => m.describeLogs(),
    });
    const [written] = (await allEvents(m, ['SnapshotWritten'])).map((e) => e.data as { offset: number; hash: string });
    expect(written).toMatchObject(last);
    // What the snapshot holds is what a full replay of the log to its offset gives.
    expect((await replayTo(m, written.offset)).hash).toBe(written.hash);

    await createApps(m, 'b', 3);
    await m.restart({ signal: 'SIGKILL' });
    const recovery = (await info(m)).recovery!;
    const newest = (await allEvents(m, ['SnapshotWritten'])).at(-1)!.data as { offset: number };
    expect(recovery.snapshotOffset).toBe(newest.offset);
    expect(recovery.replayedEvents).toBeGreaterThan(0);
    // Its state hash is recomputed in the background once it serves.
    await waitFor(async () => ((await info(m)).recovery?.snapshotVerified === true ? true : undefined), {
      timeoutMs: 30_000,
      describe: 'the loaded snapshot verified',
    });
    expect(((await m.http.get<{ apps: unknown[] }>('/v2/apps')).body.apps ?? []).length).toBe(15);
    await expectLiveEqualsReplay(m);

    // The past before the snapshot is still there: time travel to its offset, and why for an app
    // created before it (the index of the older events is built in the background).
    expect((await m.http.get(`/v1/state?at=${written.offset}`)).body).toMatchObject({ hash: written.hash });
    const created = async () =>
      ((await m.http.get('/v1/apps/snap/a-0/why')).body.changes as { type: string; request?: { method: string } }[])[1];
    expect(await created()).toMatchObject({ type: 'DeploymentStarted', request: { method: 'POST' } });
    await waitFor(async () => (m.stderr().includes('offsets before the snapshot') ? true : undefined), {
      timeoutMs: 30_000,
      describe: 'the events before the snapshot indexed',
      onTimeout: () => m.describeLogs(),
    });
    expect(await created()).toMatchObject({ type: 'DeploymentStarted', request: { method: 'POST' } });
  });

  if (backend === 'file') {
    it('a corrupt snapshot is skipped with a warning: the master replays the whole log and folds the same state', async () => {
      const m = (master = await startMaster({ backend, env: { CAIRN_SNAPSHOT_EVERY: String(SNAPSHOT_EVERY) } }));
      await createApps(m, 'c', 12);
      await waitFor(async () => (await info(m)).snapshots.last ?? undefined, {
        timeoutMs: 30_000,
        describe: 'a SnapshotWritten recorded',
      });
      await m.stop();
      const dir = join(m.dataDir, 'snapshots');
      const files = readdirSync(dir).filter((name) => name.endsWith('.snap'));
      expect(files.length).toBeGreaterThan(0);
      for (const name of files) {
        const data = readFileSync(join(dir, name));
        data[data.length - 10] ^= 0xff;
        writeFileSync(join(dir, name), data);
      }
      await m.start();
      const recovery = (await info(m)).recovery!;
      expect(recovery.snapshotOffset).toBeNull();
      expect(m.stdout() + m.stderr()).toMatch(/skipping the snapshot at offset \d+: .*corrupt/);
      expect(((await m.http.get<{ apps: unknown[] }>('/v2/apps')).body.apps ?? []).length).toBe(12);
      await expectLiveEqualsReplay(m);
    });
  }
});
