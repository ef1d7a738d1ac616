import { ManualClock, SeededIdSource } from '@cairn/common';
import { stateHash, viewOf, type Command } from '@cairn/domain';
import type { EventLog, LogRecord, ReadOptions } from '@cairn/eventlog';
import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import { MemorySnapshotStore } from '@cairn/eventlog/snapshot/memory-snapshot-store';
import { CHAIN_HEADER, chainValue, decodeRecord, encodeEvent, type CairnEvent } from '@cairn/events';
import { ProjectionRunner } from '../core/projection-runner';
import { Sequencer } from '../core/sequencer';
import { encodeSnapshot, SNAPSHOT_FORMAT } from '../snapshots/snapshot-codec';
import { TestCommands } from '../testing/test-commands';
import { verifyEventLog } from './verify-log';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const commands = new TestCommands(clock);
const meta = () => commands.meta();
const create = (id: string) => commands.create(id, { cmd: 'sleep 1' });
const scale = (appId: string, instances: number) => commands.scale(appId, instances);

/** A leader's log: written through the sequencer (so chained), at the newest format level. */
async function leaderLog(options: { log?: MemoryEventLog } = {}) {
  const log = options.log ?? new MemoryEventLog();
  if (!options.log) await log.open();
  const projection = new ProjectionRunner();
  for await (const batch of log.read({ from: 0 })) projection.apply(batch.map(decodeRecord));
  const sequencer = new Sequencer({ log, projection, ids: new SeededIdSource('verify'), onFatal: () => undefined });
  const run = (command: Command) => sequencer.submit(command);
  await run({ kind: 'ElectLeader', instance: 'm1', meta: meta() });
  await run({ kind: 'RaiseClusterVersion', version: 2, instance: 'm1', meta: meta() });
  /** Records the projection's hash at its applied offset, as the Snapshotter does. */
  const recordSnapshot = async (hash = projection.hash()) =>
    run(commands.recordSnapshot(projection.appliedOffset, hash, SNAPSHOT_FORMAT));
  return { log, projection, run, recordSnapshot };
}

async function replayed(log: EventLog): Promise<ProjectionRunner> {
  const runner = new ProjectionRunner();
  for await (const batch of log.read({ from: 0 })) runner.apply(batch.map(decodeRecord));
  return runner;
}

/** Offsets of the events of `type` in the log. */
async function offsetsOf(log: EventLog, type: string): Promise<number[]> {
  const found: number[] = [];
  for await (const batch of log.read({ from: 0 })) {
    for (const r of batch) if ((JSON.parse(r.value.toString()) as CairnEvent).type === type) found.push(r.offset);
  }
  return found;
}

/** The log as read back after someone rewrote the record at `offset` (its checksum would be recomputed). */
function tampered(log: EventLog, offset: number, change: (record: LogRecord) => LogRecord): EventLog {
  return Object.assign(Object.create(log) as EventLog, {
    async *read(options: ReadOptions) {
      for await (const batch of log.read(options)) yield batch.map((r) => (r.offset === offset ? change(r) : r));
    },
  });
}

describe('verifyEventLog', () => {
  it('passes on a leader-written log: every record chained, each recorded and the leader hash match', async () => {
    const { log, projection, run, recordSnapshot } = await leaderLog();
    await run(create('/a'));
    await recordSnapshot();
    await run(scale('/a', 3));
    await recordSnapshot();
    const report = await verifyEventLog({
      log,
      describe: 'memory',
      leader: { offset: projection.appliedOffset, hash: projection.hash() },
    });
    expect(report.failure).toBeNull();
    expect(report.chain).toEqual({ start: 0, chained: report.records, unchainedBefore: 0 });
    expect(report.records).toBe(projection.eventsApplied);
    expect(report.checkpoints.map((c) => [c.source, c.matches])).toEqual([
      ['snapshot', true],
      ['snapshot', true],
      ['leader', true],
    ]);
  });

  it('checks the chain from where it starts on a log begun by a release without it', async () => {
    const log = new MemoryEventLog();
    await log.open();
    const id = 'e0000000-0000-4000-8000-000000000000';
    const old: CairnEvent = {
      id,
      type: 'LeaderElected',
      v: 1,
      at: new Date(clock.now()).toISOString(),
      actor: 'system',
      correlationId: id,
      causationId: null,
      data: { instance: 'old:1', epoch: 1 },
    };
    await log.append([encodeEvent(old)]);
    const { run } = await leaderLog({ log });
    await run(create('/a'));
    const report = await verifyEventLog({ log, describe: 'memory' });
    expect(report.failure).toBeNull();
    expect(report.chain.start).toBe(1);
    expect(report.chain.unchainedBefore).toBe(1);
  });

  it('names the offset of an event rewritten with a valid schema (an AppScaled with other instances)', async () => {
    const { log, run } = await leaderLog();
    await run(create('/a'));
    await run(scale('/a', 3));
    await run(scale('/a', 4));
    const [target] = await offsetsOf(log, 'AppScaled');
    const rewritten = tampered(log, target, (r) => ({
      ...r,
      value: Buffer.from(r.value.toString().replace('"instances":3', '"instances":5')),
    }));
    expect(rewritten).not.toBe(log);
    const report = await verifyEventLog({ log: rewritten, describe: 'memory' });
    expect(report.failure).toMatchObject({ kind: 'chain', offset: target });
    // Checked up to the failure, not folded past it.
    expect(report.events).toBe(target);
  });

  it('names the next record when the rewritten record got a matching header too', async () => {
    const { log, run } = await leaderLog();
    await run(create('/a'));
    await run(scale('/a', 3));
    await run(scale('/a', 4));
    const [target] = await offsetsOf(log, 'AppScaled');
    let previous = '';
    for await (const batch of log.read({ from: target - 1, to: target })) previous = batch[0].headers![CHAIN_HEADER];
    const rewritten = tampered(log, target, (r) => {
      const value = Buffer.from(r.value.toString().replace('"instances":3', '"instances":5'));
      return { ...r, value, headers: { ...r.headers, [CHAIN_HEADER]: chainValue(previous, value) } };
    });
    const report = await verifyEventLog({ log: rewritten, describe: 'memory' });
    expect(report.failure).toMatchObject({ kind: 'chain', offset: target + 1 });
  });

  it('fails on a record without the header after the chain started', async () => {
    const { log, run } = await leaderLog();
    await run(create('/a'));
    const end = await log.endOffset();
    const stripped = tampered(log, end - 1, (r) => ({ ...r, headers: { ce_id: 'x' } }));
    const report = await verifyEventLog({ log: stripped, describe: 'memory' });
    expect(report.failure).toMatchObject({ kind: 'chain', offset: end - 1 });
  });

  it('names a record that is not a valid event', async () => {
    const { log, run } = await leaderLog();
    await run(create('/a'));
    const [target] = await offsetsOf(log, 'AppCreated');
    const report = await verifyEventLog({
      log: tampered(log, target, (r) => ({ ...r, value: Buffer.from('{"type":"AppCreated","v":1}') })),
      describe: 'memory',
    });
    // The chain catches the edit first; without the chain (a pre-chain log) the schema would.
    expect(report.failure).toMatchObject({ offset: target });
  });

  it('narrows a hash mismatch down to the first event that changed the differing entry, from the stored snapshot', async () => {
    const { log, projection, run, recordSnapshot } = await leaderLog();
    const store = new MemorySnapshotStore();
    await run(create('/a'));
    await run(create('/b'));
    const lastGood = projection.appliedOffset;
    await recordSnapshot();
    await run(scale('/a', 2));
    await run(scale('/b', 2));
    await run(scale('/a', 3));
    const scaledB = (await offsetsOf(log, 'AppScaled'))[1];
    // The live leader's state differed from a replay's in /b: its snapshot says so, and so does its hash.
    // A copy of the state made in this realm (structuredClone's Maps fail instanceof under jest).
    const live = (await replayed(log)).state;
    live.apps.set('/b', { ...live.apps.get('/b')!, instances: 7 });
    const offset = projection.appliedOffset;
    const eventId = projection.lastEventId!;
    const liveHash = stateHash(live);
    const { body, sha256 } = await encodeSnapshot(viewOf(live), [], {
      format: SNAPSHOT_FORMAT,
      offset,
      eventId,
      events: projection.eventsApplied,
      hash: liveHash,
    });
    await store.write(
      {
        offset,
        eventId,
        hash: liveHash,
        format: SNAPSHOT_FORMAT,
        events: 0,
        bytes: body.length,
        sha256,
        writtenAt: '',
      },
      body,
    );
    await recordSnapshot(liveHash);
    const report = await verifyEventLog({ log, describe: 'memory', snapshots: async () => store });
    expect(report.failure).toMatchObject({ kind: 'state-hash', offset: scaledB });
    expect(report.failure!.divergence).toMatchObject({
      lastMatchingOffset: lastGood,
      comparedWith: 'stored-snapshot',
      differences: [{ field: 'apps', key: '/b', kind: 'changed' }],
      firstDivergentEvent: { offset: scaledB, entry: { field: 'apps', key: '/b' } },
    });
    expect(report.checkpoints.map((c) => c.matches)).toEqual([true, false]);
  });

  it("without a stored snapshot, a leader hash mismatch names the leader's offset and the range", async () => {
    const { log, projection, run, recordSnapshot } = await leaderLog();
    await run(create('/a'));
    const good = projection.appliedOffset;
    await recordSnapshot();
    await run(scale('/a', 2));
    const report = await verifyEventLog({
      log,
      describe: 'memory',
      leader: { offset: projection.appliedOffset, hash: 'f'.repeat(64) },
    });
    expect(report.failure).toMatchObject({
      kind: 'state-hash',
      offset: projection.appliedOffset,
      divergence: { lastMatchingOffset: good, comparedWith: 'none', firstDivergentEvent: null },
    });
    expect(report.failure!.message).toMatch(/the live leader/);
  });
});
