import { CorruptLogError, type EventLog, type LogRecord } from '@cairn/eventlog';
import { decodeRecord } from '@cairn/events';
import { ChainCheck } from './chain-check';
import type { VerifyFailure, VerifyProgress } from './verify-report';

/** A SnapshotWritten found in the log: the state hash its leader recorded at `offset`. */
export interface RecordedHash {
  readonly recordedAt: number;
  readonly offset: number;
  readonly hash: string;
}

export interface IntegrityResult {
  readonly records: number;
  readonly chain: ChainCheck;
  readonly recordedHashes: RecordedHash[];
  readonly failure: VerifyFailure | null;
}

// Found without parsing every value: the codec writes the envelope's fields in this order.
const SNAPSHOT_WRITTEN_MARK = Buffer.from('"type":"SnapshotWritten"');

/**
 * The first pass: reads every record in [0, end) and checks what does not need a fold: the file
 * log's checksums (a CorruptLogError from the read) and the hash chain. It also collects the
 * hashes recorded by SnapshotWritten events, so the fold pass knows where to hash its state:
 * a SnapshotWritten comes after the offset it names, when the fold has moved past it.
 */
export async function checkIntegrity(
  log: EventLog,
  end: number,
  onProgress?: (progress: VerifyProgress) => void,
): Promise<IntegrityResult> {
  const chain = new ChainCheck();
  const recordedHashes: RecordedHash[] = [];
  let records = 0;
  try {
    for await (const batch of log.read({ from: 0, to: end })) {
      for (const record of batch) {
        records++;
        const broken = chain.observe(record);
        if (broken)
          return { records, chain, recordedHashes, failure: { kind: 'chain', ...broken, message: broken.reason } };
        const recorded = record.value.includes(SNAPSHOT_WRITTEN_MARK) ? recordedHash(record) : null;
        if (recorded) recordedHashes.push(recorded);
      }
      if (batch.length > 0) onProgress?.({ pass: 'integrity', offset: batch[batch.length - 1].offset + 1, end });
    }
  } catch (error) {
    return { records, chain, recordedHashes, failure: readFailure(error) };
  }
  return { records, chain, recordedHashes, failure: null };
}

/** The hash a SnapshotWritten records; null for anything else (a value that only mentions the type). */
function recordedHash(record: LogRecord): RecordedHash | null {
  try {
    const event = decodeRecord(record);
    if (event.type !== 'SnapshotWritten') return null;
    return { recordedAt: record.offset, offset: event.data.offset, hash: event.data.hash };
  } catch {
    return null; // not decodable: the fold pass reports it at its offset
  }
}

/** A read error as a failure: a damaged frame names its offset, segment and byte position. */
export function readFailure(error: unknown): VerifyFailure {
  if (error instanceof CorruptLogError) {
    const { segment, position, offset } = error.details;
    return { kind: 'corrupt', offset: offset ?? null, segment, position, message: error.message };
  }
  return { kind: 'read', offset: null, message: (error as Error).message };
}
