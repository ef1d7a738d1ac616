import { ManualClock, SeededIdSource } from '@cairn/common';
import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { readEvents } from './event-stream';
import { ProjectionRunner } from './projection-runner';
import { Sequencer } from './sequencer';
import { SubjectIndex } from './subject-index';
import { runInSlices } from './pacing';
import { TestCommands } from '../testing/test-commands';

const clock = new ManualClock(Date.UTC(2026, 11, 6));
const commands = new TestCommands(clock);

async function someEvents(): Promise<RecordedEvent<CairnEvent>[]> {
  const log = new MemoryEventLog({ offsetGap: 2 });
  await log.open();
  const sequencer = new Sequencer({
    log,
    projection: new ProjectionRunner(),
    ids: new SeededIdSource('i'),
    onFatal: () => undefined,
  });
  for (const id of ['/a', '/b', '/c']) {
    await sequencer.submit(commands.create(id, { instances: 1 }));
  }
  for (const [id, n] of [
    ['/a', 3],
    ['/b', 0],
    ['/a', 1],
  ] as const) {
    await sequencer.submit(commands.scale(id, n));
  }
  const events: RecordedEvent<CairnEvent>[] = [];
  for await (const batch of readEvents(log, { from: 0 })) events.push(...batch);
  return events;
}

describe('SubjectIndex', () => {
  it('indexes the same offsets when the older half is indexed later and absorbed', async () => {
    const events = await someEvents();
    const whole = new SubjectIndex();
    for (const event of events) whole.observe(event);
    for (let cut = 1; cut < events.length; cut++) {
      const newer = new SubjectIndex();
      const older = new SubjectIndex();
      for (const event of events.slice(cut)) newer.observe(event);
      for (const event of events.slice(0, cut)) older.observe(event);
      await runInSlices(newer.absorbOlder(older));
      expect(newer.coversFrom).toBe(events[0].offset);
      for (const app of ['/a', '/b', '/c']) expect(newer.offsetsOf('app', app)).toEqual(whole.offsetsOf('app', app));
      for (const event of events) {
        expect(newer.offsetsOfCorrelation(event.correlationId)).toEqual(
          whole.offsetsOfCorrelation(event.correlationId),
        );
      }
    }
    expect(whole.offsetsOf('app', '/a').length).toBeGreaterThan(3);
  });
});
