import type { Admin } from 'kafkajs';
import { describeTopic, waitForLeader } from '@cairn/eventlog/kafka/kafka-topic';
import {
  LEADER_CHECKED_CONFIG_NAMES,
  LEADER_TOPIC_CONFIG,
  LEADER_TOPIC_PARTITIONS,
  leaderTopicProblems,
} from './leader-topic-config';

export class ElectionTopicError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ElectionTopicError';
  }
}

/**
 * Creates `<cluster>.leader` when missing (one partition, finite retention), then checks what
 * the broker actually has, as the event log does for its topic, and refuses an unfit one.
 */
export async function ensureLeaderTopic(admin: Admin, topic: string, replicationFactor: number): Promise<void> {
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: LEADER_TOPIC_PARTITIONS,
          replicationFactor,
          configEntries: Object.entries(LEADER_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } catch (error) {
    throw new ElectionTopicError(`cannot create Kafka topic '${topic}': ${(error as Error).message}`, { topic });
  }
  await waitForLeader(admin, topic);
  const observed = await describeTopic(admin, topic, LEADER_CHECKED_CONFIG_NAMES);
  const problems = leaderTopicProblems(observed);
  if (problems.length > 0) {
    throw new ElectionTopicError(`Kafka topic '${topic}' cannot hold Cairn's leader election: ${problems.join('; ')}`, {
      topic,
      ...observed,
      problems,
    });
  }
}
