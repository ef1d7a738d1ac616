import type { Admin, Kafka } from 'kafkajs';
import type { AppendRecord, AppendResult, EventLog, FollowOptions, LogRecord, Offset, ReadOptions } from '../event-log';
import { EventLogError, LogConfigurationError } from '../errors';
import { newKafkaClient } from './kafka-client';
import {
  DEFAULT_INSTANCE,
  DEFAULT_REPLICATION_FACTOR,
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  KAFKA_RETRY,
  type KafkaEventLogOptions,
} from './kafka-options';
import { KafkaReaderSession, readSession } from './kafka-reader';
import { ensureEventsTopic } from './kafka-topic';
import { KafkaWriter } from './kafka-writer';

interface Connection {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly writer: KafkaWriter | null;
}

/**
 * The EventLog on Kafka (kafkajs 2.2.4): topic `<cluster>.events`, one partition, kept forever;
 * the writer appends through a transactional producer with the fixed id `<cluster>.leader`, so
 * opening a writer fences every older one at the broker. Readers are read-committed.
 *
 * Offsets are Kafka offsets. They have gaps: every transaction's commit marker takes one, and
 * records of aborted transactions (a fenced zombie's, say) take theirs but are never read.
 * The end offset is the last stable offset (LSO), which read-committed readers never pass.
 * See README.md beside this file for what the adapter relies on and what it measured.
 */
export class KafkaEventLog implements EventLog {
  readonly backend = 'kafka';
  readonly topic: string;
  readonly transactionalId: string;
  private connection: Connection | null = null;
  private readonly readers = new Set<KafkaReaderSession>();
  private readonly cleanups = new Set<Promise<unknown>>();
  private opening: Promise<void> | null = null;

  constructor(private readonly options: KafkaEventLogOptions) {
    if (options.brokers.length === 0) throw new LogConfigurationError('KafkaEventLog needs at least one broker');
    if (!/^[a-zA-Z0-9._-]+$/.test(options.cluster)) {
      throw new LogConfigurationError(
        `cluster name '${options.cluster}' must be made of [a-zA-Z0-9._-] (it names Kafka topics)`,
      );
    }
    this.topic = `${options.cluster}.events`;
    this.transactionalId = `${options.cluster}.leader`;
  }

  /**
   * Connects, checks (or creates) the topic and, for a writer, fences older writers. Once a
   * writer is fenced it refuses every append until it is closed and opened again: reopening
   * fences whoever writes now, so it is the caller's decision (after winning an election),
   * never the adapter's.
   */
  open(): Promise<void> {
    if (this.connection) return Promise.resolve();
    this.opening ??= this.openNow().finally(() => (this.opening = null));
    return this.opening;
  }

  private async openNow(): Promise<void> {
    const instance = this.options.instance ?? DEFAULT_INSTANCE;
    const kafka = newKafkaClient(this.options, this.options.clientId ?? `cairn-${instance}`, this.options.logger);
    const admin = kafka.admin({ retry: { ...KAFKA_RETRY } });
    let writer: KafkaWriter | null = null;
    try {
      await admin.connect();
      await ensureEventsTopic(admin, {
        topic: this.topic,
        replicationFactor: this.options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR,
      });
      if (this.options.writer) {
        writer = new KafkaWriter({
          kafka,
          cluster: this.options.cluster,
          topic: this.topic,
          transactionalId: this.transactionalId,
          transactionTimeoutMs: this.options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
          lastStableOffset: () => lastStableOffset(admin, this.topic).then((o) => o.end),
          logger: this.options.logger,
        });
        await writer.start();
      }
    } catch (error) {
      await writer?.stop();
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
    this.connection = { kafka, admin, writer };
  }

  append(records: readonly AppendRecord[]): Promise<AppendResult> {
    const writer = this.connection?.writer;
    if (!writer) {
      return Promise.reject(
        new EventLogError(
          this.connection
            ? `this Kafka event log was opened read-only (writer: false)`
            : 'the Kafka event log is not open',
          { topic: this.topic },
        ),
      );
    }
    return writer.append(records);
  }

  read(options: ReadOptions): AsyncIterable<LogRecord[]> {
    const connection = this.requireOpen();
    assertOffset(options.from, 'from');
    if (options.to !== undefined) assertOffset(options.to, 'to');
    // "To now" means the end when read() is called, not when iteration starts.
    const offsets = lastStableOffset(connection.admin, this.topic);
    offsets.catch(() => undefined);
    return this.iterate(connection, offsets, {
      from: options.from,
      to: options.to,
      maxBatchRecords: options.maxBatchRecords,
    });
  }

  follow(options: FollowOptions): AsyncIterable<LogRecord[]> {
    const connection = this.requireOpen();
    assertOffset(options.from, 'from');
    const offsets = lastStableOffset(connection.admin, this.topic);
    offsets.catch(() => undefined);
    return this.iterate(connection, offsets, { from: options.from, follow: true }, options.signal);
  }

  async endOffset(): Promise<Offset> {
    return (await lastStableOffset(this.requireOpen().admin, this.topic)).end;
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    const connection = this.connection;
    if (!connection) return;
    this.connection = null;
    await Promise.all([...this.readers].map((reader) => reader.stop()));
    await connection.writer?.stop();
    await Promise.all([...this.cleanups]);
    await connection.admin.disconnect();
  }

  private async *iterate(
    connection: Connection,
    offsets: Promise<{ start: Offset; end: Offset }>,
    range: { from: Offset; to?: Offset; maxBatchRecords?: number; follow?: boolean },
    signal?: AbortSignal,
  ): AsyncGenerator<LogRecord[]> {
    const { start, end } = await offsets;
    if (range.from < start) {
      throw new LogConfigurationError(
        `Kafka topic '${this.topic}' no longer holds offsets before ${start}; a read from ${range.from} would skip events`,
        { topic: this.topic, from: range.from, logStartOffset: start },
      );
    }
    const session = new KafkaReaderSession(
      {
        kafka: connection.kafka,
        admin: connection.admin,
        cluster: this.options.cluster,
        topic: this.topic,
        instance: this.options.instance ?? DEFAULT_INSTANCE,
        logger: this.options.logger,
        track: (work) => {
          this.cleanups.add(work);
          void work.finally(() => this.cleanups.delete(work));
        },
      },
      // A `to` past the end stops at the end, like a read to now: the caller asked for a range of
      // what exists, not to wait for more (that is follow).
      {
        from: range.from,
        to: range.follow ? Infinity : Math.min(range.to ?? end, end),
        maxBatchRecords: range.maxBatchRecords,
      },
    );
    this.readers.add(session);
    try {
      yield* readSession(session, signal);
    } finally {
      this.readers.delete(session);
    }
  }

  private requireOpen(): Connection {
    if (!this.connection) throw new EventLogError('the Kafka event log is not open', { topic: this.topic });
    return this.connection;
  }
}

/**
 * The partition's log start offset and its last stable offset. kafkajs's admin sends
 * ListOffsets with its default isolation level, READ_COMMITTED, so `high` is the LSO (verified
 * in the integration tests: it stays below an open transaction's records).
 */
async function lastStableOffset(admin: Admin, topic: string): Promise<{ start: Offset; end: Offset }> {
  const partitions = await admin.fetchTopicOffsets(topic);
  const partition = partitions.find((p) => p.partition === 0);
  if (!partition) throw new EventLogError(`Kafka topic '${topic}' has no partition 0`, { topic });
  return { start: Number(partition.low), end: Number(partition.high) };
}

function assertOffset(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
