import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import type { AppendRecord } from '@cairn/eventlog';
import { type CairnEvent, encodeEvent } from '@cairn/events';
import type { RecordedEventJson } from './log-pages';

/** Appends in flight at once: as many as the file-append benchmark uses, enough to fill group commits. */
export const BASELINE_APPENDERS = 64;

/** The master's recorded events as records again: the same bytes it wrote (offsets dropped). */
export function reencode(events: readonly RecordedEventJson[]): AppendRecord[] {
  return events.map(({ offset: _offset, ...envelope }) => encodeEvent(envelope as unknown as CairnEvent));
}

/**
 * What the master's log could do at most: the same records appended to a fresh FileEventLog by
 * BASELINE_APPENDERS concurrent appenders, one record per append, so group commit forms the
 * batches. Returns the seconds it took and each append's latency.
 */
export async function appendWithGroupCommit(
  dir: string,
  records: readonly AppendRecord[],
): Promise<{ seconds: number; latenciesMs: number[] }> {
  const log = new FileEventLog({ dir });
  await log.open();
  try {
    const latenciesMs: number[] = [];
    let next = 0;
    const appender = async () => {
      while (next < records.length) {
        const record = records[next++];
        const started = performance.now();
        await log.append([record]);
        latenciesMs.push(performance.now() - started);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(BASELINE_APPENDERS, records.length) }, appender));
    return { seconds: (performance.now() - started) / 1000, latenciesMs };
  } finally {
    await log.close();
  }
}
