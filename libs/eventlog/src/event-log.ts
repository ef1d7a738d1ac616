/**
 * The EventLog port: the only way anything in Cairn reads or writes the log.
 *
 * Offsets are opaque, strictly increasing numbers that may have gaps (Kafka's transaction
 * markers take offsets). Compare them, never do arithmetic on them. The end offset is the
 * position after the last committed record: reading from it yields nothing until more is
 * appended.
 *
 * Records are bytes plus a key (the aggregate id, so Kafka integrations can key by it) and
 * optional string headers (CloudEvents `ce_*` on Kafka). Encoding events into records is the
 * codec's job (libs/events), not the log's.
 */
export type Offset = number;

export interface AppendRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LogRecord extends AppendRecord {
  readonly offset: Offset;
}

export interface AppendResult {
  /** One offset per appended record, in order. */
  readonly offsets: Offset[];
  /** The end offset right after this batch became durable. */
  readonly endOffset: Offset;
}

export interface ReadOptions {
  /** Inclusive start. */
  readonly from: Offset;
  /** Exclusive end; defaults to the end offset when the read starts ("read to now and stop"). */
  readonly to?: Offset;
  /** Upper bound on records per yielded batch (a hint; adapters may yield fewer). */
  readonly maxBatchRecords?: number;
}

export interface FollowOptions {
  /** Inclusive start. */
  readonly from: Offset;
  readonly signal: AbortSignal;
}

export interface EventLog {
  /** Human-readable backend name for /v2/info: 'file', 'kafka', 'memory'. */
  readonly backend: string;

  /**
   * Opens the log for reading. For a writer, also recovers (file: cuts a torn tail, takes the
   * lock) or fences (Kafka: the first transaction fences any older producer with our id).
   */
  open(): Promise<void>;

  /**
   * Appends a batch atomically: all records become durable and visible, or none do.
   * An error that leaves the outcome unknown is an `AppendOutcomeUnknownError`; the caller
   * settles it by reading the log, never by guessing or retrying blindly.
   */
  append(records: readonly AppendRecord[]): Promise<AppendResult>;

  /** Reads committed records in [from, to) in offset order, in batches, and stops. */
  read(options: ReadOptions): AsyncIterable<LogRecord[]>;

  /** Reads committed records from `from` on, waiting for new ones until the signal aborts. */
  follow(options: FollowOptions): AsyncIterable<LogRecord[]>;

  /** The position after the last committed record (Kafka: the last stable offset). */
  endOffset(): Promise<Offset>;

  close(): Promise<void>;
}
