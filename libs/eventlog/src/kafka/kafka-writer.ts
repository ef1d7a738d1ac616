import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka, type Producer, type RecordMetadata, type Transaction } from 'kafkajs';
import type { AppendRecord, AppendResult, Offset } from '../event-log';
import { AppendOutcomeUnknownError, WriterFailedError, WriterFencedError } from '../errors';
import { findFencingError } from './fencing-error';
import { KafkaAppendFailedError } from './kafka-append-failed.error';
import type { KafkaLogSink } from './kafka-logger';
import {
  COMMIT_VISIBLE_POLL_MS,
  COMMIT_VISIBLE_RETRY_MS,
  COMMIT_VISIBLE_TIMEOUT_MS,
  KAFKA_RETRY,
  PRODUCER_MAX_IN_FLIGHT_REQUESTS,
  SEND_BYTES_MAX,
  SEND_RECORDS_MAX,
} from './kafka-options';
import { splitIntoSends, toKafkaMessage } from './kafka-record';

export interface KafkaWriterDeps {
  readonly kafka: Kafka;
  readonly cluster: string;
  readonly topic: string;
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** The topic's last stable offset, read now. */
  readonly lastStableOffset: () => Promise<Offset>;
  readonly logger?: KafkaLogSink;
}

/**
 * The single writer: one transactional producer with the cluster's fixed transactional id, one
 * transaction per append, one append at a time.
 *
 * Producer lifecycle. `start()` builds the producer and runs an empty first transaction: its
 * InitProducerId bumps the epoch, which fences every older producer with our id and makes the
 * coordinator finish or abort their open transaction. After any failed transaction the producer
 * is thrown away (kafkajs leaves its transaction state machine stuck after a failed commit or
 * abort, kafkajs#1355/#1416, and its sequence numbers may be off) and a new one is built before
 * the next append, except after fencing: a fenced writer never re-initialises, because that
 * would fence the legitimate new leader.
 *
 * Caveat (kafkajs 2.2.4, notes/kafka.md §0.1): the transaction manager builds its retrier from
 * `cluster.retry`, which is never set, so InitProducerId backs off kafkajs's default 300 ms (50 ms
 * under NODE_ENV=test) on CONCURRENT_TRANSACTIONS whatever KAFKA_RETRY says. That only happens when
 * an older transaction is still being finished (a takeover after a crash mid-transaction, or
 * settling an ambiguous commit) and costs about 300 ms there. Not patched here (node_modules
 * is shared); a one-line patch to src/producer/eosManager/index.js removes it.
 */
export class KafkaWriter {
  private producer: Producer | null = null;
  private fencedBy: string | null = null;
  private stopped = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: KafkaWriterDeps) {}

  get isFenced(): boolean {
    return this.fencedBy !== null;
  }

  /** Builds the producer and fences older writers; resolves once they are fenced. */
  async start(): Promise<void> {
    this.assertNotFenced();
    this.stopped = false;
    await this.run(() => this.ensureProducer());
  }

  /** Appends one batch in one transaction; concurrent calls are queued and run one by one. */
  append(records: readonly AppendRecord[]): Promise<AppendResult> {
    return this.run(() => this.appendNow(records));
  }

  /** Waits for the append in flight, then disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.tail.catch(() => undefined);
    await this.discardProducer();
  }

  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async appendNow(records: readonly AppendRecord[]): Promise<AppendResult> {
    this.assertNotFenced();
    if (this.stopped) throw new KafkaAppendFailedError('the Kafka event log is closed', { cluster: this.deps.cluster });
    if (records.length === 0) return { offsets: [], endOffset: await this.deps.lastStableOffset() };
    try {
      await this.ensureProducer();
    } catch (error) {
      if (error instanceof WriterFencedError) throw error;
      throw new KafkaAppendFailedError(`cannot start the transactional producer: ${(error as Error).message}`, {
        cluster: this.deps.cluster,
        transactionalId: this.deps.transactionalId,
      });
    }
    const producer = this.producer!;

    let transaction: Transaction | null = null;
    const offsets: Offset[] = [];
    try {
      transaction = await producer.transaction();
      for (const send of splitIntoSends(records, SEND_BYTES_MAX, SEND_RECORDS_MAX)) {
        const metadata = await transaction.send({
          topic: this.deps.topic,
          acks: -1,
          messages: send.map(toKafkaMessage),
        });
        // One send = one record batch on our one partition: its records sit at base, base+1, ...
        const base = this.baseOffsetOf(metadata);
        for (let i = 0; i < send.length; i++) offsets.push(base + i);
      }
    } catch (error) {
      return this.failBeforeCommit(transaction, error as Error, records.length);
    }
    try {
      await transaction.commit();
    } catch (error) {
      return this.failAtCommit(error as Error, offsets);
    }
    return { offsets, endOffset: await this.awaitVisible(offsets[offsets.length - 1]) };
  }

  /**
   * EndTxn returns once the coordinator has logged the commit; it writes the commit marker to
   * the partition just after. Waiting until the LSO passes the marker (usually one poll) means
   * that when append returns, every read-committed reader anywhere sees the batch, and
   * `endOffset()` agrees with the result. Our marker lands at lastOffset + 1 when nobody else
   * writes to the partition (the single-writer case), so the end is at least lastOffset + 2.
   */
  private async awaitVisible(lastOffset: Offset): Promise<Offset> {
    const target = lastOffset + 2;
    const deadline = Date.now() + COMMIT_VISIBLE_TIMEOUT_MS;
    for (;;) {
      // The commit is done: a failed read of the LSO (a broker going away, seen in the fault suite)
      // must never turn a recorded batch into a failed append. Reported as "not recorded", the
      // caller read the log before the marker, missed the batch, and a client's retry wrote it twice.
      const lso = await this.readLastStableOffset();
      if (lso !== null && lso >= target) return lso;
      if (Date.now() >= deadline) {
        this.deps.logger?.warn('commit marker not visible in time; returning the computed end offset', {
          topic: this.deps.topic,
          lastStableOffset: lso,
          expectedAtLeast: target,
        });
        return target;
      }
      await sleep(COMMIT_VISIBLE_POLL_MS);
    }
  }

  /** Whether the LSO reached `target` within the commit-visibility timeout (a failed read is a no). */
  private async becameStable(target: Offset): Promise<boolean> {
    const deadline = Date.now() + COMMIT_VISIBLE_TIMEOUT_MS;
    for (;;) {
      const lso = await this.readLastStableOffset();
      if (lso !== null && lso >= target) return true;
      if (Date.now() >= deadline) return false;
      await sleep(COMMIT_VISIBLE_POLL_MS);
    }
  }

  /** The LSO, or null when it cannot be read now (the read is retried by the callers' loops). */
  private async readLastStableOffset(): Promise<Offset | null> {
    try {
      return await this.deps.lastStableOffset();
    } catch (error) {
      this.deps.logger?.debug('reading the last stable offset failed', {
        topic: this.deps.topic,
        error: (error as Error).message,
      });
      await sleep(COMMIT_VISIBLE_RETRY_MS);
      return null;
    }
  }

  private async failBeforeCommit(transaction: Transaction | null, error: Error, records: number): Promise<never> {
    this.throwIfFenced(error);
    // Nothing was committed. Abort so readers are not held back until the transaction times
    // out; if the abort fails too, the next producer's InitProducerId aborts it.
    await transaction?.abort().catch(() => undefined);
    await this.discardProducer();
    throw new KafkaAppendFailedError(`append of ${records} records was not recorded: ${error.message}`, {
      cluster: this.deps.cluster,
      topic: this.deps.topic,
      cause: error.message,
    });
  }

  /**
   * A commit that failed without fencing may or may not have been applied (the EndTxn may have
   * reached the coordinator before the connection broke or the request timed out). A reader
   * cannot tell yet: the open transaction holds the LSO below our records. A new producer's
   * InitProducerId settles it (the coordinator completes a prepared commit or aborts an ongoing
   * transaction before answering), so we settle here, and the caller's read of the log to the
   * LSO is then the truth. If even that fails, the writer must be reopened (which settles it).
   */
  private async failAtCommit(error: Error, offsets: Offset[]): Promise<never> {
    this.throwIfFenced(error);
    await this.discardProducer();
    const context = {
      cluster: this.deps.cluster,
      topic: this.deps.topic,
      firstOffset: offsets[0],
      lastOffset: offsets[offsets.length - 1],
      cause: error.message,
    };
    try {
      await this.ensureProducer();
    } catch (settleError) {
      if (settleError instanceof WriterFencedError) throw settleError;
      throw new WriterFailedError(
        `commit outcome unknown (${error.message}) and it could not be settled (${(settleError as Error).message}); ` +
          'reopen the log to settle it, then read it to learn whether the batch was recorded',
        { ...context, outcome: 'unknown', settleError: (settleError as Error).message },
      );
    }
    // Settled is not yet visible: the coordinator writes the commit or abort marker after it
    // answers. Until the LSO passes that marker a read to the LSO stops short of the batch, so a
    // caller that reads now would miss a batch that did commit (and it would appear later, never
    // applied). Wait as a normal commit does, but insist: without it the outcome stays unknown.
    const lastOffset = offsets[offsets.length - 1];
    if (lastOffset !== undefined && !(await this.becameStable(lastOffset + 2))) {
      throw new WriterFailedError(
        `commit outcome unknown (${error.message}): settled, but its marker did not become visible within ` +
          `${COMMIT_VISIBLE_TIMEOUT_MS} ms; reopen the log, then read it to learn whether the batch was recorded`,
        { ...context, outcome: 'unknown' },
      );
    }
    throw new AppendOutcomeUnknownError(
      `the commit of offsets ${context.firstOffset}..${context.lastOffset} failed (${error.message}); ` +
        'it is settled now: read the log to learn whether the batch was recorded',
      { ...context, settled: true },
    );
  }

  private async ensureProducer(): Promise<void> {
    if (this.producer) return;
    const producer = this.deps.kafka.producer({
      transactionalId: this.deps.transactionalId,
      idempotent: true,
      maxInFlightRequests: PRODUCER_MAX_IN_FLIGHT_REQUESTS,
      transactionTimeout: this.deps.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { ...KAFKA_RETRY },
    });
    try {
      await producer.connect();
      // The first transaction() sends the transactional InitProducerId: this is the fencing.
      // Empty, so commit() sends nothing.
      const fence = await producer.transaction();
      await fence.commit();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      this.throwIfFenced(error as Error);
      throw error;
    }
    this.producer = producer;
  }

  private async discardProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
  }

  private throwIfFenced(error: Error): void {
    const fencing = findFencingError(error);
    if (!fencing) return;
    this.fencedBy = `${String(fencing.type ?? 'fenced')}: ${String(fencing.message ?? error.message)}`;
    void this.discardProducer();
    throw this.fencedError();
  }

  private assertNotFenced(): void {
    if (this.fencedBy !== null) throw this.fencedError();
  }

  private fencedError(): WriterFencedError {
    return new WriterFencedError({
      cluster: this.deps.cluster,
      transactionalId: this.deps.transactionalId,
      cause: this.fencedBy ?? undefined,
    });
  }

  private baseOffsetOf(metadata: RecordMetadata[]): Offset {
    const ours = metadata.find((m) => m.topicName === this.deps.topic && m.partition === 0);
    const base = ours?.baseOffset ?? ours?.offset;
    if (base === undefined) throw new Error(`the produce response for ${this.deps.topic} carried no base offset`);
    return Number(base);
  }
}
