import { ManualClock } from '@cairn/common';
import { MemoryElectionTopic } from '@cairn/election';
import { MemoryLogStore, MemorySnapshotStore } from '@cairn/eventlog';
import { decodeRecord } from '@cairn/events';
import { viewOf } from '@cairn/domain';
import { encodeSnapshot, SNAPSHOT_FORMAT } from '../snapshots/snapshot-codec';
import { createInProcessMaster, type InProcessMaster, type SimulatedCluster } from './in-process-master';

/**
 * The simulation seam: masters run whole in one process, on the memory log and a memory
 * election, moved only by a ManualClock. A simulation drives them exactly like this, from a seed.
 */
const TIMINGS = { electionHeartbeatMs: 100, electionTimeoutMs: 500, snapshotEvery: 5 };

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances the clock 10 ms at a time, letting the masters react between steps, until `done()`. */
async function runUntil(clock: ManualClock, done: () => boolean, limitMs = 20_000): Promise<void> {
  for (let elapsed = 0; !done(); elapsed += 10) {
    if (elapsed > limitMs) throw new Error(`not done after ${limitMs} ms of simulated time`);
    clock.advance(10);
    for (let i = 0; i < 5; i++) await nextTurn();
  }
}

function cluster(): SimulatedCluster {
  const clock = new ManualClock();
  return {
    clock,
    store: new MemoryLogStore(),
    electionTopic: new MemoryElectionTopic(clock),
    snapshots: new MemorySnapshotStore(),
  };
}

const createApp = (master: InProcessMaster, id: string) =>
  master.runtime.execute({
    kind: 'CreateApp',
    app: { id, cmd: 'sleep 100', instances: 0 },
    force: false,
    meta: master.runtime.meta('sim'),
  });

describe('masters in-process on the memory log (the simulation seam)', () => {
  const open: InProcessMaster[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((m) => m.close().catch(() => undefined)));
  });

  it('one leads, the other follows to the same state; when the leader stops, the other takes over and writes on', async () => {
    const c = cluster();
    const clock = c.clock as ManualClock;
    const masters = await Promise.all(
      ['m1', 'm2'].map((instance, i) => createInProcessMaster(c, { instance, seed: `seed-${i}`, config: TIMINGS })),
    );
    open.push(...masters);
    let started = 0;
    for (const m of masters) void m.start().then(() => started++);
    await runUntil(clock, () => started === 2);
    const leaders = masters.filter((m) => m.runtime.isReady);
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const standby = masters.find((m) => m !== leader)!;

    for (let i = 0; i < 8; i++) {
      const outcome = createApp(leader, `/sim/app-${i}`);
      await runUntil(clock, () => leader.runtime.projection.state.apps.has(`/sim/app-${i}`));
      await outcome;
    }
    await runUntil(clock, () => standby.runtime.projection.appliedOffset === leader.runtime.projection.appliedOffset);
    expect(standby.runtime.projection.hash()).toBe(leader.runtime.projection.hash());
    // The leader snapshotted (every 5 offsets here) and recorded it.
    await runUntil(clock, () => leader.runtime.projection.state.lastSnapshot !== null);

    await leader.close();
    await runUntil(clock, () => standby.runtime.isReady);
    await createApp(standby, '/sim/after-failover').catch(() => undefined);
    await runUntil(clock, () => standby.runtime.projection.state.apps.has('/sim/after-failover'));

    const events = c.store.records.map(decodeRecord);
    const epochs = events.filter((e) => e.type === 'LeaderElected').map((e) => (e.data as { epoch: number }).epoch);
    expect(epochs).toEqual([1, 2]);
    expect(standby.runtime.projection.state.apps.size).toBe(9);

    // A third master started now loads the snapshot and replays only what follows it.
    const late = await createInProcessMaster(c, { instance: 'm3', seed: 'seed-3', config: TIMINGS });
    open.push(late);
    let lateStarted = false;
    void late.start().then(() => (lateStarted = true));
    await runUntil(clock, () => lateStarted);
    expect(late.runtime.recovery?.snapshotOffset).not.toBeNull();
    await runUntil(clock, () => late.runtime.recovery?.snapshotVerified === true);
    await runUntil(clock, () => late.runtime.projection.appliedOffset === standby.runtime.projection.appliedOffset);
    expect(late.runtime.projection.hash()).toBe(standby.runtime.projection.hash());
  });

  it('a snapshot that decodes to a state other than the one it was written from stops the master', async () => {
    const c = cluster();
    const clock = c.clock as ManualClock;
    const first = await createInProcessMaster(c, { instance: 'm1', seed: 'seed-1', config: TIMINGS });
    open.push(first);
    let started = false;
    void first.start().then(() => (started = true));
    await runUntil(clock, () => started && first.runtime.isReady);
    await createApp(first, '/sim/a');
    await first.close();

    // A snapshot whose bytes are intact but whose recorded hash is not its state's (a codec bug).
    const projection = first.runtime.projection;
    const header = {
      format: SNAPSHOT_FORMAT,
      offset: projection.appliedOffset,
      eventId: projection.lastEventId!,
      events: projection.eventsApplied,
      hash: 'f'.repeat(64),
    };
    const { body, sha256 } = await encodeSnapshot(viewOf(projection.state), [], header);
    await c.snapshots.write(
      { ...header, bytes: body.length, sha256, writtenAt: new Date(clock.now()).toISOString() },
      body,
    );

    const second = await createInProcessMaster(c, { instance: 'm2', seed: 'seed-2', config: TIMINGS });
    open.push(second);
    const fatal: Error[] = [];
    second.runtime.onFatalError((error) => fatal.push(error));
    void second.start().catch(() => undefined);
    await runUntil(clock, () => fatal.length > 0);
    expect(fatal[0].message).toMatch(/decoded to a state hashing to [0-9a-f]{64}, not f{64}/);
    expect(second.runtime.recovery?.snapshotVerified).toBe(false);
    expect(second.runtime.currentPhase).toBe('stopped');
  });
});
