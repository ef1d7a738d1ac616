import type { EventLog } from '@cairn/eventlog';
import { decodeRecord, type CairnEvent, type RecordedEvent } from '@cairn/events';
import { ProjectionRunner } from '../core/projection-runner';
import { readFailure } from './integrity-pass';
import type { VerifyFailure, VerifyProgress } from './verify-report';

/** A state hash to compare with the replay's: the state right after the event at `offset`. */
export interface ExpectedHash {
  readonly offset: number;
  readonly hash: string;
}

export interface FoldResult {
  readonly events: number;
  /** The replay's hash at each expected offset it reached, in the order given. */
  readonly actual: ReadonlyMap<number, string>;
  readonly failure: VerifyFailure | null;
  /** The first expected hash that differs, with the replay's state at its offset (to diff it). */
  readonly mismatch: {
    readonly expected: ExpectedHash;
    readonly actual: string;
    readonly runner: ProjectionRunner;
  } | null;
}

/**
 * The second pass: replays [0, to) through the same ProjectionRunner a master uses (decoding each
 * record with the codec, as a master does) and hashes its state at each expected offset. It stops
 * at the first record that does not decode, an evolve that throws, or the first hash that differs.
 */
export async function checkFold(
  log: EventLog,
  to: number,
  expected: readonly ExpectedHash[],
  onProgress?: (progress: VerifyProgress) => void,
): Promise<FoldResult> {
  const checkpoints = [...expected].sort((a, b) => a.offset - b.offset);
  const runner = new ProjectionRunner();
  const actual = new Map<number, string>();
  let next = 0;
  let pending: RecordedEvent<CairnEvent>[] = [];
  const result = (failure: VerifyFailure | null, mismatch: FoldResult['mismatch'] = null): FoldResult => ({
    events: runner.eventsApplied,
    actual,
    failure,
    mismatch,
  });
  const flush = (): VerifyFailure | null => {
    try {
      runner.apply(pending, { owned: true });
    } catch (error) {
      const offset = (error as { offset?: number }).offset ?? null;
      return { kind: 'fold', offset, message: (error as Error).message };
    } finally {
      pending = [];
    }
    return null;
  };
  /** Hashes at every checkpoint before `offset`; the first that differs stops the pass. */
  const hashBefore = (offset: number): FoldResult['mismatch'] | VerifyFailure | null => {
    while (next < checkpoints.length && checkpoints[next].offset < offset) {
      const failed = pending.length > 0 ? flush() : null;
      if (failed) return failed;
      const checkpoint = checkpoints[next++];
      const hash = actual.get(checkpoint.offset) ?? runner.hash();
      actual.set(checkpoint.offset, hash);
      if (hash !== checkpoint.hash) return { expected: checkpoint, actual: hash, runner };
    }
    return null;
  };
  try {
    for await (const batch of log.read({ from: 0, to })) {
      for (const record of batch) {
        const stop = hashBefore(record.offset);
        if (stop) return 'kind' in stop ? result(stop) : result(null, stop);
        try {
          pending.push(decodeRecord(record));
        } catch (error) {
          const failed = flush();
          return result(failed ?? { kind: 'schema', offset: record.offset, message: (error as Error).message });
        }
      }
      const failed = flush();
      if (failed) return result(failed);
      if (batch.length > 0) onProgress?.({ pass: 'fold', offset: batch[batch.length - 1].offset + 1, end: to });
    }
  } catch (error) {
    return result(readFailure(error));
  }
  // Checkpoints up to the end of what was read: the state there is the state at the last event.
  const stop = hashBefore(to);
  if (stop) return 'kind' in stop ? result(stop) : result(null, stop);
  return result(null);
}
