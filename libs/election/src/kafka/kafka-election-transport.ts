import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Admin, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import type { KafkaLogSink } from '@cairn/eventlog/kafka/kafka-logger';
import { newKafkaClient, type KafkaConnection } from '@cairn/eventlog/kafka/kafka-client';
import {
  KAFKA_RETRY,
  PRODUCER_MAX_IN_FLIGHT_REQUESTS,
  READER_GROUP_TIMINGS,
} from '@cairn/eventlog/kafka/kafka-options';
import { decodeElectionRecord, encodeElectionRecord, type ElectionRecord } from '../election-record';
import type { ElectionTransport, TransportHandlers } from '../election-transport';
import { ensureLeaderTopic } from './kafka-leader-topic';

const PARTITION = 0;
/**
 * An idle fetch returns after this long (a record arriving meanwhile returns it at once: minBytes
 * 1). It also bounds how long disconnect() waits for the fetch in flight (kafkajs#1606).
 */
export const ELECTION_FETCH_MAX_WAIT_MS = 100;

/** `brokers`, and TLS / SASL when the brokers need them (the same KafkaConnection as the log's). */
export interface KafkaElectionTransportOptions extends KafkaConnection {
  readonly cluster: string;
  readonly candidate: string;
  readonly replicationFactor: number;
  readonly logger?: KafkaLogSink;
}

/**
 * The election topic `<cluster>.leader` on Kafka.
 *
 * Writes: a plain idempotent producer (acks -1, in-flight 1), never a transactional one. Claims
 * and heartbeats must be visible to everyone the moment they are appended, whatever else the
 * partition holds.
 *
 * Reads: read_uncommitted. Nothing transactional is written here by Cairn, but if anything ever
 * were (or the topic were shared), a read-committed reader would stop at the first open
 * transaction, and a dead leader's open transaction is only aborted by the winner's
 * InitProducerId: the election would deadlock until the transaction timeout (notes/kafka.md §0.1).
 *
 * Consumer: kafkajs 2.2.4 has no assign(), so every candidate reads in a group of its own
 * (`<cluster>.leader.<candidate>.<uuid>`, random per incarnation). Being the only member, it
 * is never rebalanced by others: candidates coming and going cost nothing. The group joins once
 * at start (the broker's group.initial.rebalance.delay.ms, 3 s by default, delays that first join:
 * set it to 0 on brokers serving Cairn), commits nothing, and seeks to its own position on every
 * join, so a rejoin after a long pause (past the session timeout) resumes where it was.
 */
export class KafkaElectionTransport implements ElectionTransport {
  readonly topic: string;
  private kafka: Kafka | null = null;
  private admin: Admin | null = null;
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private groupId: string;
  /** Next offset to hand to the runner. */
  private position = 0;
  /** Where the topic ended when reading began: caught up once position reaches it. */
  private startEnd = 0;
  private caughtUp = false;
  private handlers: TransportHandlers | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private starting: Promise<void> | null = null;

  constructor(private readonly options: KafkaElectionTransportOptions) {
    if (!/^[a-zA-Z0-9._-]+$/.test(options.cluster)) {
      throw new Error(`cluster name '${options.cluster}' must be made of [a-zA-Z0-9._-] (it names Kafka topics)`);
    }
    this.topic = `${options.cluster}.leader`;
    this.groupId = `${this.topic}.${options.candidate.replace(/[^a-zA-Z0-9._-]/g, '_')}.${randomUUID()}`;
  }

  start(handlers: TransportHandlers): Promise<void> {
    this.starting ??= this.startNow(handlers);
    return this.starting;
  }

  private async startNow(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    const kafka = newKafkaClient(
      this.options,
      `cairn-election-${this.options.candidate.replace(/[^a-zA-Z0-9._-]/g, '_')}`,
      this.options.logger,
    );
    this.kafka = kafka;
    this.admin = kafka.admin({ retry: { ...KAFKA_RETRY } });
    await this.admin.connect();
    if (this.closed) return;
    await ensureLeaderTopic(this.admin, this.topic, this.options.replicationFactor);
    const [offsets] = await this.admin.fetchTopicOffsets(this.topic);
    // Nothing transactional is written here, so the LSO kafkajs reports is the high watermark.
    this.position = Number(offsets.low);
    this.startEnd = Number(offsets.high);

    if (this.closed) return;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: PRODUCER_MAX_IN_FLIGHT_REQUESTS,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { ...KAFKA_RETRY },
    });
    await this.producer.connect();
    if (this.closed) return;
    await this.startConsumer(kafka);
    this.maybeCaughtUp();
  }

  private async startConsumer(kafka: Kafka): Promise<void> {
    const consumer = kafka.consumer({
      groupId: this.groupId,
      // A dead group coordinator costs the election this session at most (see READER_GROUP_TIMINGS).
      ...READER_GROUP_TIMINGS,
      readUncommitted: true,
      maxWaitTimeInMs: ELECTION_FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      retry: { ...KAFKA_RETRY },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      consumer.seek({ topic: this.topic, partition: PARTITION, offset: String(this.position) });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.options.logger?.warn('election reader crashed', { topic: this.topic, error: payload.error.message });
    });
    await consumer.connect();
    if (this.closed) return;
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    if (this.closed) return;
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    if (batch.partition !== PARTITION || this.closed) return;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < this.position) continue; // already delivered (a re-fetch after a rejoin)
      this.position = offset + 1;
      const record = message.value ? decodeElectionRecord(message.value.toString('utf8')) : null;
      if (record) this.handlers?.onRecord(record);
      else this.options.logger?.warn('ignoring an unreadable election record', { topic: this.topic, offset });
    }
    this.maybeCaughtUp();
  }

  private maybeCaughtUp(): void {
    if (this.caughtUp || this.closed || this.position < this.startEnd) return;
    this.caughtUp = true;
    this.handlers?.onCaughtUp();
  }

  async send(record: ElectionRecord): Promise<void> {
    const producer = this.producer;
    if (!producer || this.closed) throw new Error('the election transport is closed');
    await producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: record.candidate, value: encodeElectionRecord(record), partition: PARTITION }],
    });
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.closed = true;
    // A start in progress checks `closed` after each step and stops creating clients; wait for
    // it, so every client it made is disconnected below and nothing outlives close().
    await this.starting?.catch(() => undefined);
    // Outside any handler: disconnecting from inside eachBatch hangs (kafkajs#767).
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    if (this.admin && this.consumer) {
      await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    }
    await this.admin?.disconnect().catch(() => undefined);
  }
}
