import { createHash } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { LogConfigurationError } from '../errors';
import type { LogRecord } from '../event-log';
import type { KafkaLogSink } from '../kafka/kafka-logger';
import { newKafkaClient, type KafkaConnection } from '../kafka/kafka-client';
import { DEFAULT_INSTANCE, DEFAULT_REPLICATION_FACTOR, KAFKA_RETRY } from '../kafka/kafka-options';
import { KafkaReaderSession, readSession } from '../kafka/kafka-reader';
import { waitForLeader } from '../kafka/kafka-topic';
import {
  checkBody,
  DEFAULT_SNAPSHOTS_KEPT,
  parseMeta,
  SnapshotCorruptError,
  type SnapshotMeta,
  type SnapshotStore,
} from './snapshot-store';

/**
 * One record per chunk, well under the broker's default message.max.bytes (1 MiB), which limits
 * a whole record batch: each chunk goes in a send of its own.
 */
export const SNAPSHOT_CHUNK_BYTES = 512 * 1024;

/**
 * A compacted topic: only the latest record of each key is kept, and keys name `keep` slots
 * (`slot-<n>/meta`, `slot-<n>/chunk-<i>`), so the topic holds the last `keep` snapshots plus
 * what compaction has not cleaned yet. Segments roll often enough for the cleaner to get to them.
 */
const SNAPSHOT_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'segment.bytes': String(64 * 1024 * 1024),
  'segment.ms': String(60 * 60 * 1000),
  'min.cleanable.dirty.ratio': '0.1',
};

export interface KafkaSnapshotStoreOptions extends KafkaConnection {
  readonly cluster: string;
  readonly replicationFactor?: number;
  readonly instance?: string;
  readonly keep?: number;
  readonly logger?: KafkaLogSink;
}

/** What a slot's meta record holds: the snapshot's metadata and where its chunks are. */
interface StoredMeta extends SnapshotMeta {
  readonly slot: number;
  readonly chunkOffsets: readonly number[];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const META_KEY = /^slot-(\d+)\/meta$/;

/**
 * Snapshots on Kafka, in topic `<cluster>.snapshots`: each snapshot is its chunks, then a meta
 * record naming their offsets (written last, so a snapshot whose writer died half-way has no
 * meta and is never listed). Writes use a plain idempotent producer, not the log's transactional
 * one: a snapshot is true at its offset whoever writes it, so a deposed leader's late snapshot
 * is harmless, and it must not fence the log's writer.
 */
export class KafkaSnapshotStore implements SnapshotStore {
  readonly backend = 'kafka';
  readonly topic: string;
  private readonly keep: number;
  private connection: { kafka: Kafka; admin: Admin; producer: Producer | null } | null = null;
  private opening: Promise<void> | null = null;
  private readonly cleanups = new Set<Promise<unknown>>();

  constructor(private readonly options: KafkaSnapshotStoreOptions) {
    this.topic = `${options.cluster}.snapshots`;
    this.keep = options.keep ?? DEFAULT_SNAPSHOTS_KEPT;
  }

  async write(meta: SnapshotMeta, body: Buffer): Promise<void> {
    const { producer } = await this.open({ producer: true });
    const metas = await this.storedMetas();
    const slot = this.slotFor(metas);
    const chunkOffsets: number[] = [];
    for (let i = 0, at = 0; at < body.length || i === 0; i++, at += SNAPSHOT_CHUNK_BYTES) {
      const [result] = await producer!.send({
        topic: this.topic,
        acks: -1,
        messages: [{ key: `slot-${slot}/chunk-${i}`, value: body.subarray(at, at + SNAPSHOT_CHUNK_BYTES) }],
      });
      chunkOffsets.push(Number(result.baseOffset));
    }
    const stored: StoredMeta = { ...meta, slot, chunkOffsets };
    await producer!.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: `slot-${slot}/meta`, value: Buffer.from(JSON.stringify(stored)) }],
    });
  }

  async list(): Promise<SnapshotMeta[]> {
    return (await this.storedMetas()).map(({ slot: _slot, chunkOffsets: _offsets, ...meta }) => meta);
  }

  async read(meta: SnapshotMeta): Promise<Buffer> {
    const stored = (await this.storedMetas()).find((m) => m.offset === meta.offset && m.sha256 === meta.sha256);
    if (!stored) throw new SnapshotCorruptError(`snapshot at offset ${meta.offset} is no longer stored`, meta.offset);
    const wanted = new Map(stored.chunkOffsets.map((offset, index) => [offset, index]));
    const chunks: Buffer[] = new Array<Buffer>(stored.chunkOffsets.length);
    const from = Math.min(...stored.chunkOffsets);
    const to = Math.max(...stored.chunkOffsets) + 1;
    for await (const batch of this.readRange(from, to)) {
      for (const record of batch) {
        const index = wanted.get(record.offset);
        if (index !== undefined && record.key === `slot-${stored.slot}/chunk-${index}`) chunks[index] = record.value;
      }
    }
    const missing = chunks.length - chunks.filter(Boolean).length;
    if (missing > 0) {
      throw new SnapshotCorruptError(
        `snapshot at offset ${meta.offset}: ${missing} of its ${chunks.length} chunks are gone`,
        meta.offset,
      );
    }
    return checkBody(meta, Buffer.concat(chunks), sha256);
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    await Promise.all([...this.cleanups]);
    await connection.producer?.disconnect().catch(() => undefined);
    await connection.admin.disconnect().catch(() => undefined);
  }

  /** The slot to write: a free one, or the oldest snapshot's. */
  private slotFor(metas: readonly StoredMeta[]): number {
    const used = new Set(metas.map((m) => m.slot));
    for (let slot = 0; slot < this.keep; slot++) if (!used.has(slot)) return slot;
    return metas.at(-1)!.slot;
  }

  /** The latest meta record of each slot, newest snapshot first. */
  private async storedMetas(): Promise<StoredMeta[]> {
    const { admin } = await this.open({ producer: false });
    const [partition] = await admin.fetchTopicOffsets(this.topic);
    const latest = new Map<number, StoredMeta>();
    for await (const batch of this.readRange(Number(partition.low), Number(partition.high))) {
      for (const record of batch) {
        const slot = META_KEY.exec(record.key)?.[1];
        if (slot === undefined) continue;
        const meta = parseMeta(record.value.toString('utf8')) as StoredMeta | null;
        if (meta && Array.isArray(meta.chunkOffsets) && meta.chunkOffsets.length > 0) latest.set(Number(slot), meta);
      }
    }
    return [...latest.values()].filter((m) => m.slot < this.keep).sort((a, b) => b.offset - a.offset);
  }

  private async *readRange(from: number, to: number): AsyncGenerator<LogRecord[]> {
    if (from >= to) return;
    const { kafka, admin } = await this.open({ producer: false });
    const session = new KafkaReaderSession(
      {
        kafka,
        admin,
        cluster: this.options.cluster,
        topic: this.topic,
        instance: this.options.instance ?? DEFAULT_INSTANCE,
        logger: this.options.logger,
        track: (work) => {
          this.cleanups.add(work);
          void work.finally(() => this.cleanups.delete(work));
        },
      },
      { from, to },
    );
    yield* readSession(session);
  }

  private async open(need: { producer: boolean }): Promise<{ kafka: Kafka; admin: Admin; producer: Producer | null }> {
    if (!this.connection) {
      this.opening ??= this.connect().finally(() => (this.opening = null));
      await this.opening;
    }
    const connection = this.connection!;
    if (need.producer && !connection.producer) {
      const producer = connection.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { ...KAFKA_RETRY },
      });
      await producer.connect();
      connection.producer = producer;
    }
    return connection;
  }

  private async connect(): Promise<void> {
    const instance = this.options.instance ?? DEFAULT_INSTANCE;
    const kafka = newKafkaClient(this.options, `cairn-${instance}-snapshots`, this.options.logger);
    const admin = kafka.admin({ retry: { ...KAFKA_RETRY } });
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: this.topic,
            numPartitions: 1,
            replicationFactor: this.options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR,
            configEntries: Object.entries(SNAPSHOT_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      await waitForLeader(admin, this.topic);
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw new LogConfigurationError(
        `cannot use Kafka topic '${this.topic}' for snapshots: ${(error as Error).message}`,
        { topic: this.topic },
      );
    }
    this.connection = { kafka, admin, producer: null };
  }
}
