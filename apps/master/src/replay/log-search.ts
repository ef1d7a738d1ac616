import type { EventLog } from '@cairn/eventlog';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { readEvents } from '../core/event-stream';

/** The first event at or after `from` (and before `to`), or null. Offsets may have gaps (Kafka). */
export async function firstEventFrom(
  log: EventLog,
  from: number,
  to: number,
): Promise<RecordedEvent<CairnEvent> | null> {
  if (from >= to) return null;
  for await (const events of readEvents(log, { from, to, maxBatchRecords: 1 })) {
    if (events.length > 0) return events[0];
  }
  return null;
}

/**
 * Binary search over the log for a predicate that is false for a prefix of the events and true
 * after it (e.g. "stamped after 14:02": `at` never decreases in offset order). Returns the last
 * event for which it is false (null: none) and the offset of the first for which it is true (the
 * end: none). About log2(end) probes, each reading one event.
 */
export async function searchLog(
  log: EventLog,
  isPast: (event: RecordedEvent<CairnEvent>) => boolean,
  range: { from?: number; to?: number } = {},
): Promise<{ lastBefore: RecordedEvent<CairnEvent> | null; firstOffset: number }> {
  let lo = range.from ?? 0;
  let hi = range.to ?? (await log.endOffset());
  const end = hi;
  let lastBefore: RecordedEvent<CairnEvent> | null = null;
  let firstOffset = end;
  // Invariant: every event before `lo` is before the boundary (and the one at lo − 1, if read, is
  // `lastBefore`); every event at or after `hi` is past it.
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const event = await firstEventFrom(log, mid, hi);
    if (event === null) {
      hi = mid;
    } else if (isPast(event)) {
      hi = mid;
      firstOffset = Math.min(firstOffset, event.offset);
    } else {
      lastBefore = event;
      lo = event.offset + 1;
    }
  }
  return { lastBefore, firstOffset };
}

/** The last event stamped at or before `timeMs` (null: the log starts later). */
export async function lastEventAtOrBefore(log: EventLog, timeMs: number): Promise<RecordedEvent<CairnEvent> | null> {
  return (await searchLog(log, (event) => Date.parse(event.at) > timeMs)).lastBefore;
}

/** The offset of the first event stamped at or after `timeMs` (the end offset: none yet). */
export async function firstOffsetAtOrAfter(log: EventLog, timeMs: number): Promise<number> {
  return (await searchLog(log, (event) => Date.parse(event.at) >= timeMs)).firstOffset;
}
