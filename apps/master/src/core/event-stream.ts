import type { EventLog, Offset } from '@cairn/eventlog';
import { CairnEvent, decodeRecord, RecordedEvent } from '@cairn/events';

/** Decoded reads over the log: the codec validates and upcasts every record. */
export async function* readEvents(
  log: EventLog,
  range: { from: Offset; to?: Offset },
): AsyncIterable<RecordedEvent<CairnEvent>[]> {
  for await (const batch of log.read(range)) yield batch.map(decodeRecord);
}

export async function* followEvents(
  log: EventLog,
  from: Offset,
  signal: AbortSignal,
): AsyncIterable<RecordedEvent<CairnEvent>[]> {
  for await (const batch of log.follow({ from, signal })) yield batch.map(decodeRecord);
}
