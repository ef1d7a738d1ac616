import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import { encodeEvent, UnknownEventError, type CairnEvent } from '@cairn/events';
import { followEvents } from './event-stream';

const leaderElected = (epoch: number): CairnEvent => ({
  id: `00000000-0000-4000-8000-00000000000${epoch}`,
  type: 'LeaderElected',
  v: 1,
  at: '2026-01-01T00:00:00.000Z',
  actor: 'system',
  correlationId: 'c',
  causationId: null,
  data: { instance: 'm1:8080', epoch },
});

describe('followEvents', () => {
  it('yields the events before a record it cannot read, then throws UnknownEventError naming it', async () => {
    const log = new MemoryEventLog();
    await log.open();
    const future = Buffer.from(JSON.stringify({ ...leaderElected(9), type: 'AppTeleported' }));
    const { offsets } = await log.append([
      encodeEvent(leaderElected(1)),
      encodeEvent(leaderElected(2)),
      { key: 'x', value: future },
      encodeEvent(leaderElected(3)),
    ]);
    const abort = new AbortController();
    const applied: number[] = [];
    let thrown: unknown;
    try {
      for await (const events of followEvents(log, 0, abort.signal)) applied.push(...events.map((e) => e.offset));
    } catch (error) {
      thrown = error;
    } finally {
      abort.abort();
      await log.close();
    }
    expect(applied).toEqual(offsets.slice(0, 2));
    expect(thrown).toBeInstanceOf(UnknownEventError);
    expect(thrown).toMatchObject({ type: 'AppTeleported', offset: offsets[2] });
  });
});
