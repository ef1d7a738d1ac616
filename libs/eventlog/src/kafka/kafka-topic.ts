import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { LogConfigurationError } from '../errors';
import {
  CHECKED_CONFIG_NAMES,
  EVENTS_TOPIC_CONFIG,
  EVENTS_TOPIC_PARTITIONS,
  topicConfigFixes,
  topicConfigProblems,
} from './topic-config';

/** How long a topic may take to get a leader after creation (one broker: milliseconds). */
const TOPIC_READY_TIMEOUT_MS = 15_000;
const TOPIC_READY_POLL_MS = 20;

export interface EnsureTopicOptions {
  readonly topic: string;
  readonly replicationFactor: number;
}

/**
 * Creates the events topic if it is missing, then checks what the broker actually has (ours or
 * someone else's, created just now or years ago) and refuses a topic that could lose or reorder
 * events. Returns whether this call created it.
 */
export async function ensureEventsTopic(
  admin: Admin,
  { topic, replicationFactor }: EnsureTopicOptions,
): Promise<boolean> {
  let created: boolean;
  try {
    // Returns false when the topic exists (also when another process won a creation race).
    // kafkajs's own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a fresh topic's
    // metadata can still report for a moment (seen under load), so we wait ourselves below.
    created = await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: EVENTS_TOPIC_PARTITIONS,
          replicationFactor,
          configEntries: Object.entries(EVENTS_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } catch (error) {
    throw new LogConfigurationError(`cannot create Kafka topic '${topic}': ${(error as Error).message}`, {
      topic,
      replicationFactor,
    });
  }
  await waitForLeader(admin, topic);
  const observed = await describeTopic(admin, topic);
  const problems = topicConfigProblems(observed);
  if (problems.length > 0) {
    throw new LogConfigurationError(
      `Kafka topic '${topic}' cannot hold a Cairn event log: ${problems.join('; ')}. ` +
        `Cairn will neither read nor write it as it is. To fix: ${topicConfigFixes(topic, observed).join('; or ')}`,
      { topic, partitions: observed.partitions, config: observed.config, problems },
    );
  }
  return created;
}

/** Until partition 0 has a leader: producers and consumers need one, the config check too. */
export async function waitForLeader(admin: Admin, topic: string): Promise<void> {
  const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
  for (;;) {
    let last: string;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const leader = metadata.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionId === 0)?.leader;
      if (leader !== undefined && leader >= 0) {
        // With several brokers, the metadata can name a leader before that broker hosts the
        // partition ("This server does not host this topic-partition" on the first read): ready
        // means its offsets can be listed too.
        await admin.fetchTopicOffsets(topic);
        return;
      }
      last = `partition 0 has no leader yet (${leader})`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new LogConfigurationError(
        `Kafka topic '${topic}' is not ready after ${TOPIC_READY_TIMEOUT_MS} ms: ${last}`,
        {
          topic,
        },
      );
    }
    await sleep(TOPIC_READY_POLL_MS);
  }
}

/** Partition count and the named config values (defaults included) the broker reports. */
export async function describeTopic(
  admin: Admin,
  topic: string,
  configNames: readonly string[] = CHECKED_CONFIG_NAMES,
): Promise<{ partitions: number; config: Record<string, string> }> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [...configNames] }],
  });
  const config: Record<string, string> = {};
  for (const entry of described.resources[0]?.configEntries ?? []) config[entry.configName] = entry.configValue;
  return { partitions, config };
}
