import type { AppendRecord, AppendResult, EventLog, FollowOptions, LogRecord, Offset, ReadOptions } from '../event-log';
import { WriterFencedError } from '../errors';
import { LogNotOpenError, LogReadOnlyError } from '../errors';
import { validateBatch } from '../file/validate-batch';
import { MemoryLogStore } from './memory-log-store';

/** Records per yielded batch when the caller gives no bound. */
export const MEMORY_READ_BATCH_RECORDS_DEFAULT = 4096;

export interface MemoryEventLogOptions {
  /** Share a store between instances to model a restart, a standby writer or a reader. */
  readonly store?: MemoryLogStore;
  /**
   * Offsets skipped after each batch, as Kafka's transaction markers take one: with a gap, a
   * consumer that computes `offset + 1` instead of using the offsets it was given breaks in tests.
   */
  readonly offsetGap?: number;
  readonly readOnly?: boolean;
}

interface InjectedFailure {
  readonly error: Error;
  /** The batch is appended and then the error is thrown: an outcome the caller cannot know. */
  readonly committed: boolean;
}

/**
 * The EventLog in memory: for unit tests and the deterministic simulator (no timers, no I/O;
 * followers wake on promises). A new writer on a store fences the previous one, as Kafka's
 * transactional id does, so the simulator can model a leader takeover.
 */
export class MemoryEventLog implements EventLog {
  readonly backend = 'memory';
  readonly store: MemoryLogStore;
  private readonly offsetGap: number;
  private isOpen = false;
  private epoch = 0;
  private failures: InjectedFailure[] = [];

  constructor(private readonly options: MemoryEventLogOptions = {}) {
    this.store = options.store ?? new MemoryLogStore();
    this.offsetGap = options.offsetGap ?? 0;
    if (!Number.isSafeInteger(this.offsetGap) || this.offsetGap < 0) {
      throw new RangeError(`offsetGap must be a non-negative integer, not ${options.offsetGap}`);
    }
  }

  /** The next append fails with `error`; with `committed`, after its records were appended. */
  failNextAppend(error: Error, options: { committed?: boolean } = {}): void {
    this.failures.push({ error, committed: options.committed ?? false });
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    if (!this.options.readOnly) this.epoch = ++this.store.writerEpoch;
    this.isOpen = true;
  }

  async append(records: readonly AppendRecord[]): Promise<AppendResult> {
    // Everything happens before the first await, so concurrent appends keep their call order.
    this.requireOpen('append');
    if (this.options.readOnly) throw new LogReadOnlyError({ backend: this.backend, location: 'memory' });
    if (this.epoch !== this.store.writerEpoch) {
      throw new WriterFencedError({
        cluster: 'memory',
        transactionalId: 'memory',
        cause: `epoch ${this.epoch} is stale`,
      });
    }
    validateBatch(records);
    const failure = this.failures.shift();
    if (failure && !failure.committed) throw failure.error;
    const result = this.commit(records);
    if (failure) throw failure.error;
    return result;
  }

  async *read(options: ReadOptions): AsyncIterable<LogRecord[]> {
    this.requireOpen('read');
    const to = Math.min(options.to ?? this.store.nextOffset, this.store.nextOffset);
    yield* this.range(options.from, to, options.maxBatchRecords ?? MEMORY_READ_BATCH_RECORDS_DEFAULT);
  }

  async *follow(options: FollowOptions): AsyncIterable<LogRecord[]> {
    const { signal } = options;
    let next = options.from;
    for (;;) {
      if (signal.aborted || !this.isOpen) return;
      const end = this.store.nextOffset;
      if (next < end) {
        for (const batch of this.range(next, end, MEMORY_READ_BATCH_RECORDS_DEFAULT)) {
          if (signal.aborted) return;
          yield batch;
        }
        next = end;
        continue;
      }
      await this.store.changes.wait(signal);
    }
  }

  async endOffset(): Promise<Offset> {
    this.requireOpen('endOffset');
    return this.store.nextOffset;
  }

  async close(): Promise<void> {
    this.isOpen = false;
    // Wakes this instance's followers so they see it closed (others re-check and wait again).
    this.store.changes.notify();
  }

  private commit(records: readonly AppendRecord[]): AppendResult {
    const store = this.store;
    if (records.length === 0) return { offsets: [], endOffset: store.nextOffset };
    const offsets: Offset[] = [];
    for (const record of records) {
      const offset = store.nextOffset++;
      offsets.push(offset);
      // Copies, so a caller that reuses its buffer cannot rewrite history.
      const headers = record.headers ? { ...record.headers } : undefined;
      store.records.push({ offset, key: record.key, headers, value: Buffer.from(record.value) });
    }
    store.nextOffset += this.offsetGap;
    store.changes.notify();
    return { offsets, endOffset: store.nextOffset };
  }

  private *range(from: Offset, to: Offset, maxBatchRecords: number): Generator<LogRecord[]> {
    const records = this.store.records;
    let i = this.store.indexOf(from);
    while (i < records.length && records[i].offset < to) {
      const batch: LogRecord[] = [];
      while (i < records.length && records[i].offset < to && batch.length < maxBatchRecords) batch.push(records[i++]);
      yield batch;
    }
  }

  private requireOpen(operation: string): void {
    if (!this.isOpen) throw new LogNotOpenError({ backend: this.backend, location: 'memory', operation });
  }
}
