import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  KAFKA_RETRY,
  READER_MAX_BYTES,
  READER_MAX_BYTES_PER_PARTITION,
  READER_MAX_WAIT_MS,
} from '@cairn/eventlog/kafka/kafka-options';

/**
 * The Kafka replay baseline: a bare kafkajs read-committed consumer in a fresh group with the
 * adapter's fetch settings, reading the topic from the beginning to its last stable offset and
 * JSON.parse-ing each value: what any Kafka client must do to read the events at all.
 * Resolves to the number of records parsed.
 */
export async function bareConsumerReplay(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const end = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high);
  await admin.disconnect();
  if (end === 0) return 0;

  const groupId = `cairn-bench-bare-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: READER_MAX_WAIT_MS,
    maxBytesPerPartition: READER_MAX_BYTES_PER_PARTITION,
    maxBytes: READER_MAX_BYTES,
    allowAutoTopicCreation: false,
    retry: { ...KAFKA_RETRY },
  });
  let parsed = 0;
  let sink = 0;
  let finish!: () => void;
  let crash!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    crash = reject;
  });
  // The last offsets below the LSO are commit markers, never delivered: progress is tracked from
  // END_BATCH_PROCESS, which kafkajs emits for marker-only batches too.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (Number(payload.lastOffset) + 1 >= end) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) crash(payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (!message.value) continue;
          const event = JSON.parse(message.value.toString('utf8')) as { type: string };
          sink += event.type.length;
          parsed++;
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  if (sink === 0) throw new Error('bare consumer parsed nothing');
  return parsed;
}
