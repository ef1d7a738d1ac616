import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import {
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  KAFKA_RETRY,
  PRODUCER_MAX_IN_FLIGHT_REQUESTS,
} from '@cairn/eventlog/kafka/kafka-options';
import { EVENTS_TOPIC_CONFIG, EVENTS_TOPIC_PARTITIONS } from '@cairn/eventlog/kafka/topic-config';

/**
 * Plain kafkajs with the adapter's settings (retry, transactional id scheme, producer and topic
 * configuration), and nothing of the adapter itself: the baselines for the Kafka benchmarks.
 */
export function bareKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, retry: { ...KAFKA_RETRY }, logLevel: logLevel.NOTHING });
}

/** Creates `<cluster>.events` as the adapter would: one partition, kept forever. */
export async function createEventsTopic(kafka: Kafka, cluster: string): Promise<string> {
  const topic = `${cluster}.events`;
  const admin = kafka.admin({ retry: { ...KAFKA_RETRY } });
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: EVENTS_TOPIC_PARTITIONS,
          replicationFactor: 1,
          configEntries: Object.entries(EVENTS_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** A transactional producer built exactly as KafkaWriter builds its own, connected and fenced in. */
export async function bareTransactionalProducer(kafka: Kafka, cluster: string): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId: `${cluster}.leader`,
    idempotent: true,
    maxInFlightRequests: PRODUCER_MAX_IN_FLIGHT_REQUESTS,
    transactionTimeout: DEFAULT_TRANSACTION_TIMEOUT_MS,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { ...KAFKA_RETRY },
  });
  await producer.connect();
  const fence = await producer.transaction();
  await fence.commit();
  return producer;
}

/** Deletes the topics a benchmark made, so a shared broker (KAFKA_BROKERS) is left as found. */
export async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = bareKafka(brokers, 'cairn-bench-cleanup').admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
