import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { LogRecord, Offset } from '../event-log';
import { EventLogError } from '../errors';
import { BatchChannel } from './batch-channel';
import type { KafkaLogSink } from './kafka-logger';
import {
  KAFKA_RETRY,
  READER_BATCH_RECORDS_MAX,
  READER_BUFFERED_BATCHES_MAX,
  READER_MAX_BYTES,
  READER_MAX_BYTES_PER_PARTITION,
  READER_SMALL_READ_MAX_BYTES,
  READER_SMALL_READ_OFFSETS,
  READER_MAX_WAIT_MS,
  READER_RESTART_BACKOFF_MAX_MS,
  READER_RESTART_BACKOFF_MS,
  READER_GROUP_TIMINGS,
  READER_RESTARTS_MAX,
} from './kafka-options';
import { toLogRecord } from './kafka-record';

/** While its consumer is not pulling, a reader's handler heartbeats this often (session: READER_GROUP_TIMINGS). */
const BLOCKED_HEARTBEAT_EVERY_MS = 1_000;
const PARTITION = 0;

export interface KafkaReaderDeps {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly cluster: string;
  readonly topic: string;
  readonly instance: string;
  readonly logger?: KafkaLogSink;
  /** Cleanup work (deleting a reader's group) that close() should wait for. */
  readonly track: (work: Promise<unknown>) => void;
}

export interface ReadRange {
  readonly from: Offset;
  /** Exclusive; Infinity to follow. */
  readonly to: Offset;
  readonly maxBatchRecords?: number;
}

/**
 * One read or follow: a kafkajs consumer in a throw-away group, read-committed, positioned by
 * the reader itself.
 *
 * Positioning. The reader keeps `position` (the next offset it has neither delivered nor passed)
 * and seeks there on every GROUP_JOIN. kafkajs emits GROUP_JOIN synchronously at the end of each
 * join, before the first fetch of that generation, and applies a pending seek at the next fetch,
 * so the first fetch already starts at `from`. Seeking on every join (not once) matters: the
 * group has no committed offsets (autoCommit off), so after a rebalance or a crash-restart
 * (which builds a new consumer group object) kafkajs would otherwise restart at the beginning.
 * As a second guard, records below `position` are dropped, so nothing is delivered twice.
 *
 * Progress. Batches made only of transaction markers or aborted records never reach eachBatch,
 * but kafkajs (since #1256) emits END_BATCH_PROCESS for them with their last offset, so the
 * position follows commit markers too. The range is complete when position >= to; the last
 * offset before the LSO is usually a commit marker, so no record at to - 1 is awaited.
 */
export class KafkaReaderSession {
  private consumer: Consumer | null = null;
  private position: Offset;
  private restarts = 0;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private stopRequested = false;
  readonly groupId: string;
  readonly channel = new BatchChannel<LogRecord[]>(READER_BUFFERED_BATCHES_MAX);

  constructor(
    private readonly deps: KafkaReaderDeps,
    private readonly range: ReadRange,
  ) {
    this.position = range.from;
    // Random, not from the IdSource: the group is a transport detail, never in the log.
    this.groupId = `${deps.cluster}.reader.${deps.instance}.${randomUUID()}`;
  }

  /** Starts the consumer; the channel then fills. Safe to race with stop(). */
  start(): Promise<void> {
    this.starting ??= this.startNow();
    return this.starting;
  }

  private async startNow(): Promise<void> {
    if (this.position >= this.range.to) {
      this.channel.end();
      return;
    }
    const short = this.range.to - this.range.from <= READER_SMALL_READ_OFFSETS;
    const consumer = this.deps.kafka.consumer({
      groupId: this.groupId,
      ...READER_GROUP_TIMINGS,
      readUncommitted: false,
      maxWaitTimeInMs: READER_MAX_WAIT_MS,
      maxBytesPerPartition: short ? READER_SMALL_READ_MAX_BYTES : READER_MAX_BYTES_PER_PARTITION,
      maxBytes: short ? READER_SMALL_READ_MAX_BYTES : READER_MAX_BYTES,
      allowAutoTopicCreation: false,
      retry: { ...KAFKA_RETRY, restartOnFailure: () => this.restartAfterBackoff() },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      consumer.seek({ topic: this.deps.topic, partition: PARTITION, offset: String(this.position) });
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.partition === PARTITION) this.advance(Number(payload.lastOffset) + 1);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.channel.fail(
        new EventLogError(`reading Kafka topic '${this.deps.topic}' failed: ${payload.error.message}`, {
          topic: this.deps.topic,
          position: this.position,
          restarts: this.restarts,
        }),
      );
    });
    // stop() may come while we start (an abort); each step checks, so no consumer is left
    // running after stop() returned (stop waits for this start to settle).
    await consumer.connect();
    if (this.stopRequested) return;
    await consumer.subscribe({ topics: [this.deps.topic], fromBeginning: true });
    if (this.stopRequested) return;
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
  }

  /** Stops the consumer (outside any handler: disconnecting from inside one hangs, kafkajs#767). */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    this.stopRequested = true;
    this.channel.close(); // releases a handler blocked on a full channel
    await this.starting?.catch(() => undefined);
    const consumer = this.consumer;
    if (!consumer) return;
    await consumer.disconnect().catch((error: Error) => {
      this.deps.logger?.warn('disconnecting a reader failed', { groupId: this.groupId, error: error.message });
    });
    // The group has no offsets and no members now; deleting it spares the coordinator the garbage.
    this.deps.track(
      this.deps.admin.deleteGroups([this.groupId]).catch((error: Error) => {
        this.deps.logger?.debug('deleting a reader group failed', { groupId: this.groupId, error: error.message });
      }),
    );
  }

  /**
   * kafkajs restarts a crashed consumer after its initialRetryTime (5 ms here). Some crashes are
   * routine, e.g. "coordinator is loading" on a freshly started broker, so restarts back off and
   * are bounded: past READER_RESTARTS_MAX crashes without progress in between, the CRASH handler
   * fails the read. Progress (the position moving) starts the count again, so a standby that
   * follows for months survives any number of broker faults, each one a few crashes.
   */
  private async restartAfterBackoff(): Promise<boolean> {
    this.restarts += 1;
    if (this.restarts > READER_RESTARTS_MAX || this.stopRequested) return false;
    await sleep(Math.min(READER_RESTART_BACKOFF_MS * 2 ** (this.restarts - 1), READER_RESTART_BACKOFF_MAX_MS));
    return !this.stopRequested;
  }

  private async onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const chunkSize = this.range.maxBatchRecords ?? READER_BATCH_RECORDS_MAX;
    const records: LogRecord[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset >= this.position && offset < this.range.to) records.push(toLogRecord(message));
    }
    for (let i = 0; i < records.length; i += chunkSize) {
      const chunk = records.slice(i, i + chunkSize);
      while (!this.channel.offer(chunk)) {
        await Promise.race([this.channel.waitForSpace(), sleep(BLOCKED_HEARTBEAT_EVERY_MS)]);
        // A heartbeat that fails (rebalance under way) is left to the fetch loop to handle;
        // this handler must not throw after delivering part of a batch.
        await heartbeat().catch(() => undefined);
      }
      this.advance(chunk[chunk.length - 1].offset + 1);
    }
  }

  private advance(next: Offset): void {
    if (next > this.position) {
      this.position = next;
      this.restarts = 0;
    }
    if (this.position >= this.range.to) this.channel.end();
  }
}

/** Runs a session as an async iterable: batches as they come, consumer stopped at the end. */
export async function* readSession(session: KafkaReaderSession, signal?: AbortSignal): AsyncGenerator<LogRecord[]> {
  if (signal?.aborted) return;
  const onAbort = () => void session.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await session.start();
    for (;;) {
      const next = await session.channel.take();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await session.stop();
  }
}
