import type { EventLog, Offset, ReadOptions } from '@cairn/eventlog';
import { CairnEvent, decodeRecord, RecordedEvent } from '@cairn/events';

/** Decoded reads over the log: the codec validates and upcasts every record. */
export async function* readEvents(log: EventLog, range: ReadOptions): AsyncIterable<RecordedEvent<CairnEvent>[]> {
  for await (const batch of log.read(range)) yield batch.map(decodeRecord);
}

export async function* followEvents(
  log: EventLog,
  from: Offset,
  signal: AbortSignal,
): AsyncIterable<RecordedEvent<CairnEvent>[]> {
  for await (const batch of log.follow({ from, signal })) {
    // Record by record: when one cannot be decoded (an event of a newer release), the events before
    // it in the batch are still applied, so a halted standby stands right before the record it met.
    const decoded: RecordedEvent<CairnEvent>[] = [];
    for (const record of batch) {
      try {
        decoded.push(decodeRecord(record));
      } catch (error) {
        if (decoded.length > 0) yield decoded;
        throw error;
      }
    }
    yield decoded;
  }
}
