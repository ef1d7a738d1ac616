import type { RetryOptions } from 'kafkajs';
import type { KafkaConnection } from './kafka-client';
import type { KafkaLogSink } from './kafka-logger';

/** `brokers`, and TLS / SASL when the brokers need them (KafkaConnection). */
export interface KafkaEventLogOptions extends KafkaConnection {
  /** Cluster name: the topic is `<cluster>.events`, the transactional id `<cluster>.leader`. */
  readonly cluster: string;
  /** Replication factor for a topic Cairn creates (3 in production, 1 on a single test broker). */
  readonly replicationFactor?: number;
  /** A writer fences older writers on open and may append; a reader only reads. */
  readonly writer: boolean;
  /** This process's name, used in the client id and reader group ids (for operators). */
  readonly instance?: string;
  readonly clientId?: string;
  /** The coordinator aborts a transaction open longer than this (default 10 s). */
  readonly transactionTimeoutMs?: number;
  /** Where kafkajs and adapter diagnostics go; silent when absent. */
  readonly logger?: KafkaLogSink;
}

export const DEFAULT_REPLICATION_FACTOR = 1;
export const DEFAULT_INSTANCE = 'cairn';
/**
 * Short, so a writer that died mid-transaction holds back read-committed readers (the LSO) for
 * seconds at most when nobody takes over; a takeover's InitProducerId aborts it at once anyway.
 * Our transactions last milliseconds.
 */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * Always explicit: kafkajs switches its defaults when NODE_ENV=test (jest sets it), and its
 * production default (initialRetryTime 300 ms) makes every transaction that follows a commit
 * wait ~300 ms on CONCURRENT_TRANSACTIONS while the coordinator writes the markers
 * (notes/kafka.md §0: ~185 ms per transaction with the default, ~10 ms with this).
 */
export const KAFKA_RETRY: Readonly<RetryOptions> = {
  initialRetryTime: 5,
  maxRetryTime: 200,
  retries: 30,
  factor: 0.2,
  multiplier: 2,
};

/** Only one transaction per producer at a time: in-flight 1 keeps idempotence and order safe. */
export const PRODUCER_MAX_IN_FLIGHT_REQUESTS = 1;

/**
 * Every reader (and the election's reader) is the only member of a consumer group of its own. When
 * the broker coordinating that group dies, kafkajs restarts the consumer, which joins the group
 * again under a new member id; the new coordinator, which loaded the old member from
 * `__consumer_offsets`, holds the join until that member's session expires. kafkajs's default
 * session (30 s) made a broker kill cost the election over 30 s; the broker's minimum
 * (`group.min.session.timeout.ms`, 6 s by default) bounds it to that. Heartbeats go out from the
 * fetch loop (max wait 100 ms) and from a blocked reader every second, well within it.
 */
export const READER_GROUP_TIMINGS = { sessionTimeout: 6_000, rebalanceTimeout: 10_000, heartbeatInterval: 1_000 };

/** Read-committed fetches wait at most this long for data (also bounds disconnect time). */
export const READER_MAX_WAIT_MS = 100;
/** Per-partition fetch size: large, so a replay gets many batches per round trip. */
export const READER_MAX_BYTES_PER_PARTITION = 8 * 1024 * 1024;
export const READER_MAX_BYTES = 16 * 1024 * 1024;
/**
 * A short bounded read (a page of /v1/events, one record to check a snapshot against the log)
 * fetches this much instead: kafkajs decodes a whole fetch response on the event loop in one go,
 * and 8 MiB of it held a master's loop for hundreds of milliseconds (the stall budget,
 * docs/operations.md). Kafka still returns a batch bigger than this whole.
 */
export const READER_SMALL_READ_MAX_BYTES = 512 * 1024;
/** A read of at most this many offsets is a short one. */
export const READER_SMALL_READ_OFFSETS = 4_096;
/** Batches a reader fetches ahead of its consumer before it stops fetching (backpressure). */
export const READER_BUFFERED_BATCHES_MAX = 16;
/** Records per yielded batch when the caller gives no `maxBatchRecords`. */
export const READER_BATCH_RECORDS_MAX = 1_000;
/** A reader whose consumer crashes more often than this gives up and throws. */
export const READER_RESTARTS_MAX = 8;
/** Back-off before a crashed reader restarts: doubles from this, up to the max. */
export const READER_RESTART_BACKOFF_MS = 50;
export const READER_RESTART_BACKOFF_MAX_MS = 2_000;

/**
 * One send is one Produce request holding one record batch, and the broker refuses a batch
 * above `max.message.bytes` (1 MiB by default). A larger append is split into several sends
 * inside the same transaction, so it stays atomic.
 */
export const SEND_BYTES_MAX = 512 * 1024;
export const SEND_RECORDS_MAX = 10_000;

/** How long append waits for the LSO to pass its commit marker before it returns anyway. */
export const COMMIT_VISIBLE_TIMEOUT_MS = 5_000;
/** Pause between two LSO polls while waiting for our commit marker. */
export const COMMIT_VISIBLE_POLL_MS = 1;
/** Pause after a failed LSO read while waiting for our commit marker (a broker going away). */
export const COMMIT_VISIBLE_RETRY_MS = 50;
