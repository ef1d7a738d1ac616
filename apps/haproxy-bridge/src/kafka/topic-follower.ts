import { Admin, Consumer, EachBatchPayload, Kafka, logLevel, LogEntry } from 'kafkajs';
import { Logger } from '../log';

export interface TopicRecord {
  readonly offset: number;
  readonly value: string;
}

export interface TopicFollowerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** The bridge's own consumer group; its committed offsets show how far it has applied (lag). */
  readonly groupId: string;
  readonly clientId: string;
  readonly log: Logger;
  /** Records in offset order, each once; a throw stops the follower (see onFailure). */
  readonly onRecords: (records: readonly TopicRecord[]) => void;
  /** Once: the position reached the end of the topic as it was at start (the catch-up fold is done). */
  readonly onCaughtUp: () => void;
  readonly onFailure: (error: Error) => void;
}

const PARTITION = 0;
const TOPIC_WAIT_MS = 1_000;

/**
 * Reads `<cluster>.events` (one partition, read_committed) from offset 0 and then follows it.
 * The bridge's state is in memory, so every start folds the whole topic again: the position is
 * kept here and the consumer is sought there on every group join (the committed offset only
 * reports progress). "Caught up" compares the position with the end offset read at start,
 * never waiting for a record at end - 1, which is usually a transaction marker (docs/events.md).
 */
export class TopicFollower {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private position = 0;
  private startEnd = Number.POSITIVE_INFINITY;
  private caughtUp = false;
  private stopped = false;

  constructor(private readonly options: TopicFollowerOptions) {
    const log = options.log;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...fields } = entry;
          (level <= logLevel.ERROR ? log.error : log.warn)(`kafka: ${message}`, fields);
        },
    });
  }

  async start(): Promise<void> {
    const { topic, groupId } = this.options;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.startEnd = await this.waitForTopic();
    this.options.log.info('folding the topic from its beginning', { topic, groupId, endOffset: this.startEnd });
    this.checkCaughtUp();

    const consumer = this.kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      consumer.seek({ topic, partition: PARTITION, offset: String(this.position) });
    });
    // Batches made only of transaction markers never reach eachBatch; this moves the position past them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.partition === PARTITION) this.advance(Number(payload.lastOffset) + 1);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopped) this.options.onFailure(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachBatch: (payload) => this.onBatch(payload) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    if (this.stopped) return;
    const records: TopicRecord[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      // A seek after a rejoin may deliver records again: the position is the guard.
      if (offset >= this.position && message.value) records.push({ offset, value: message.value.toString('utf8') });
    }
    if (records.length > 0) {
      this.options.onRecords(records);
      this.advance(records[records.length - 1].offset + 1);
    }
  }

  private advance(next: number): void {
    if (next > this.position) this.position = next;
    this.checkCaughtUp();
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || this.position < this.startEnd) return;
    this.caughtUp = true;
    this.options.onCaughtUp();
  }

  /** The topic's end offset (the last stable offset: kafkajs lists offsets read_committed), once it exists. */
  private async waitForTopic(): Promise<number> {
    for (let logged = false; ;) {
      try {
        const offsets = await this.admin!.fetchTopicOffsets(this.options.topic);
        const partition = offsets.find((o) => o.partition === PARTITION);
        if (offsets.length !== 1 || !partition) {
          throw new Error(`topic ${this.options.topic} has ${offsets.length} partitions; Cairn's has exactly one`);
        }
        return Number(partition.high);
      } catch (error) {
        if (/exactly one/.test((error as Error).message) || this.stopped) throw error;
        if (!logged)
          this.options.log.warn('waiting for the topic', {
            topic: this.options.topic,
            error: (error as Error).message,
          });
        logged = true;
        await new Promise((resolve) => setTimeout(resolve, TOPIC_WAIT_MS));
      }
    }
  }
}
