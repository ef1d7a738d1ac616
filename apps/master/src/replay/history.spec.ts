import { ManualClock, SeededIdSource } from '@cairn/common';
import { MemorySnapshotStore } from '@cairn/eventlog';
import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import { ProjectionRunner } from '../core/projection-runner';
import { Sequencer } from '../core/sequencer';
import { Snapshotter } from '../snapshots/snapshots';
import { TestCommands } from '../testing/test-commands';
import { History } from './history';
import { replayTo } from './state-at';

const clock = new ManualClock(Date.UTC(2026, 11, 6, 14, 0, 0));
const commands = new TestCommands(clock, 'ops');

/** A log written by a real sequencer, with the live state hash captured after every command. */
async function writeHistory() {
  commands.reset(); // deployment ids are command ids: the same in every test
  const log = new MemoryEventLog({ offsetGap: 2 }); // gaps, as Kafka's commit markers make
  await log.open();
  const projection = new ProjectionRunner();
  const sequencer = new Sequencer({ log, projection, ids: new SeededIdSource('history'), onFatal: () => undefined });
  const store = new MemorySnapshotStore();
  const snapshotter = new Snapshotter({
    store,
    projection,
    clock,
    every: 1,
    record: async () => undefined,
    logger: { warn: () => undefined, log: () => undefined },
  });
  const live: { offset: number; hash: string; at: string }[] = [];
  // Made when submitted: each command carries the clock's time then, a minute apart.
  const script = [
    () => commands.create('/prod/web', { instances: 3 }),
    () => commands.create('/prod/db', { instances: 1 }),
    () => commands.scale('/prod/web', 5, 'alice'),
    () => commands.update('/prod/db', { env: { MODE: 'fast' } }),
    () => commands.delete('/prod/db', 'bob'),
    () => commands.scale('/prod/web', 2),
  ];
  for (const [i, command] of script.entries()) {
    clock.advance(60_000);
    await sequencer.submit(command());
    live.push({ offset: projection.appliedOffset, hash: projection.hash(), at: projection.lastEventAt! });
    if (i === 2) await snapshotter.writeNow();
  }
  return { log, store, live };
}

describe('time travel', () => {
  it('rebuilds the state at every offset a command left, equal to the live state then, with or without a snapshot', async () => {
    const { log, store, live } = await writeHistory();
    expect((await store.list()).map((m) => m.offset)).toEqual([live[2].offset]);
    for (const point of live) {
      for (const snapshots of [null, store]) {
        const replayed = await replayTo(log, point.offset, { snapshots });
        expect(replayed.projection.hash()).toBe(point.hash);
        expect(replayed.point).toEqual({ offset: point.offset, at: point.at });
        const usesSnapshot = snapshots !== null && point.offset >= live[2].offset;
        expect(replayed.snapshotOffset).toBe(usesSnapshot ? live[2].offset : null);
      }
    }
  });

  it('finds the state at a time: the last event stamped at or before it', async () => {
    const { log, store, live } = await writeHistory();
    const history = new History(log, store, { paced: false });
    const justAfter = await history.stateAt({ timeMs: Date.parse(live[3].at) + 30_000, time: '' });
    expect(justAfter).toMatchObject({ offset: live[3].offset, hash: live[3].hash });
    const before = await history.stateAt({ timeMs: Date.parse(live[0].at) - 1, time: '' });
    expect(before).toMatchObject({ offset: -1, apps: [] });
  });

  it('says what changed between two points, in words, with who did it', async () => {
    const { log, store, live } = await writeHistory();
    const diff = await new History(log, store, { paced: false }).diff(
      { offset: live[1].offset },
      { offset: live[4].offset },
    );
    const texts = diff.changes.map((c) => c.text);
    expect(texts.slice(0, 2)).toEqual(['app /prod/db deleted by bob', 'app /prod/web scaled 3 → 5 by alice']);
    // Forced changes supersede running deployments (no agents: nothing finishes a scale-up).
    expect(texts).toContain('deployment c-5 started and finished');
    expect(texts).toContain('deployment c-3 of /prod/web started, at step 1 of 1');
    expect(diff.events).toBeGreaterThan(0);
    await expect(
      new History(log, store, { paced: false }).diff({ offset: live[4].offset }, { offset: live[1].offset }),
    ).rejects.toThrow(/give them in order/);
  });

  it('refuses an offset past the end of the log', async () => {
    const { log, store } = await writeHistory();
    await expect(new History(log, store, { paced: false }).stateAt({ offset: 10_000 })).rejects.toThrow(
      /not in the log yet/,
    );
  });
});
