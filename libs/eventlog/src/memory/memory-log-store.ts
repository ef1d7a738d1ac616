import type { LogRecord, Offset } from '../event-log';
import { ChangeNotifier } from './change-notifier';

/**
 * The records of one in-memory log, shared by every MemoryEventLog opened on it: a restart is a
 * new instance on the same store, a standby is a second writer on it, a reader a read-only one.
 */
export class MemoryLogStore {
  readonly records: LogRecord[] = [];
  /** The offset the next record gets (the end offset). */
  nextOffset: Offset = 0;
  /** Bumped by each writer's open(); a writer whose epoch is older is fenced (as Kafka does). */
  writerEpoch = 0;
  readonly changes = new ChangeNotifier();

  /** Index of the first record whose offset is >= `offset`. */
  indexOf(offset: Offset): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid].offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
