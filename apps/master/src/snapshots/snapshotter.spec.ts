import { ManualClock } from '@cairn/common';
import { MemorySnapshotStore } from '@cairn/eventlog';
import { recorded } from '@cairn/domain/testing/decider-spec';
import { appCreated } from '@cairn/domain/testing/cluster-builders';
import { draft } from '@cairn/domain';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { ProjectionRunner } from '../core/projection-runner';
import { MemoryEventLog } from '@cairn/eventlog';
import { loadLatestSnapshot, Snapshotter, SNAPSHOT_CHECK_MS } from './snapshots';
import { SNAPSHOT_FORMAT } from './snapshot-codec';

const quiet = { warn: () => undefined, log: () => undefined };

function at(offset: number, event: CairnEvent): RecordedEvent<CairnEvent> {
  return { ...event, offset } as RecordedEvent<CairnEvent>;
}

describe('Snapshotter', () => {
  function setUp(every: number) {
    const projection = new ProjectionRunner();
    const store = new MemorySnapshotStore();
    const clock = new ManualClock();
    const recordedSnapshots: { offset: number; hash: string }[] = [];
    let offset = 0;
    const apply = (event: CairnEvent) => projection.apply([at(offset++, event)]);
    const snapshotter = new Snapshotter({
      store,
      projection,
      clock,
      every,
      logger: quiet,
      record: async (snapshot) => {
        recordedSnapshots.push(snapshot);
        apply(recorded(draft('SnapshotWritten', snapshot)));
      },
    });
    return { projection, store, clock, snapshotter, recordedSnapshots, apply };
  }

  it('writes, stores and records a snapshot; with nothing changed since, writes none', async () => {
    const { projection, store, snapshotter, recordedSnapshots, apply } = setUp(1);
    apply(recorded(appCreated('/a')));
    const first = await snapshotter.writeNow();
    expect(first).toMatchObject({ offset: 0, hash: projection.hash() });
    expect(recordedSnapshots).toEqual([
      { offset: 0, hash: projection.hash(), format: SNAPSHOT_FORMAT, bytes: first!.bytes },
    ]);
    expect((await store.list()).map((m) => m.offset)).toEqual([0]);

    // Only the SnapshotWritten itself and a new leader since: the state (its hash) is the same.
    apply(recorded(draft('LeaderElected', { instance: 'm2', epoch: 2 })));
    expect(await snapshotter.writeNow()).toBeNull();
    expect(recordedSnapshots).toHaveLength(1);

    apply(recorded(appCreated('/b')));
    expect(await snapshotter.writeNow()).toMatchObject({ offset: 3 });
    expect(recordedSnapshots).toHaveLength(2);
  });

  it('checks on its timer and snapshots once the log is `every` offsets past the last one', async () => {
    const { clock, snapshotter, recordedSnapshots, apply } = setUp(5);
    snapshotter.start();
    for (let i = 0; i < 4; i++) apply(recorded(appCreated(`/app-${i}`)));
    clock.advance(SNAPSHOT_CHECK_MS);
    await snapshotter.stop();
    expect(recordedSnapshots).toHaveLength(0);

    snapshotter.start();
    for (let i = 4; i < 6; i++) apply(recorded(appCreated(`/app-${i}`)));
    clock.advance(SNAPSHOT_CHECK_MS);
    await snapshotter.stop();
    expect(recordedSnapshots.map((s) => s.offset)).toEqual([5]);
  });

  it('a starting master takes the newest snapshot that belongs to its log, and skips one of another log', async () => {
    const { snapshotter, store, apply } = setUp(1);
    apply(recorded(appCreated('/a')));
    await snapshotter.writeNow();
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), log: () => undefined };
    // An empty log (say, a recreated topic): the event the snapshot names is not there.
    const other = new MemoryEventLog();
    await other.open();
    expect(await loadLatestSnapshot(store, other, logger)).toBeNull();
    expect(warnings.join('\n')).toMatch(/skipping the snapshot at offset 0: the log has no event at that offset/);
  });
});
