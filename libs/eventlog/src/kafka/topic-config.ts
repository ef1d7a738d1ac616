/**
 * What Cairn requires of its events topic, as pure checks (the I/O is in kafka-topic.ts).
 *
 * The log is the only copy of Cairn's state, so the topic must keep everything forever and in
 * one total order: one partition, no time or size retention, no compaction.
 */
export const EVENTS_TOPIC_PARTITIONS = 1;

/** Config entries a new events topic is created with. */
export const EVENTS_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'cleanup.policy': 'delete',
};

/** The topic config names the check reads (for describeConfigs). */
export const CHECKED_CONFIG_NAMES = ['retention.ms', 'retention.bytes', 'cleanup.policy'] as const;

export interface ObservedTopic {
  readonly partitions: number;
  /** Config values by name, as the broker reports them (defaults included). */
  readonly config: Readonly<Record<string, string | undefined>>;
}

/** Every reason Cairn refuses this topic; empty when it is fit to be the event log. */
export function topicConfigProblems(topic: ObservedTopic): string[] {
  const problems: string[] = [];
  if (topic.partitions !== EVENTS_TOPIC_PARTITIONS) {
    problems.push(
      `it has ${topic.partitions} partitions; the event log needs exactly ${EVENTS_TOPIC_PARTITIONS} (one total order)`,
    );
  }
  const retentionMs = topic.config['retention.ms'];
  if (!isInfinite(retentionMs)) {
    problems.push(`retention.ms is ${retentionMs ?? 'unknown'}; it must be -1 (Kafka would delete old events)`);
  }
  const retentionBytes = topic.config['retention.bytes'];
  if (!isInfinite(retentionBytes)) {
    problems.push(`retention.bytes is ${retentionBytes ?? 'unknown'}; it must be -1 (Kafka would delete old events)`);
  }
  const policies = (topic.config['cleanup.policy'] ?? '').split(',').map((p) => p.trim());
  if (policies.includes('compact')) {
    problems.push(
      `cleanup.policy is '${topic.config['cleanup.policy']}'; compaction would delete events (use 'delete')`,
    );
  }
  return problems;
}

// Kafka treats any negative retention as "no limit"; -1 is what it documents and sets.
function isInfinite(value: string | undefined): boolean {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return false;
  return Number(value) < 0;
}

/**
 * How to fix what topicConfigProblems found, for the operator reading the error: the settings
 * Kafka can change in place as one kafka-configs command, and what it cannot change (partitions).
 */
export function topicConfigFixes(topic: string, observed: ObservedTopic): string[] {
  const fixes: string[] = [];
  const settings: string[] = [];
  if (!isInfinite(observed.config['retention.ms'])) settings.push('retention.ms=-1');
  if (!isInfinite(observed.config['retention.bytes'])) settings.push('retention.bytes=-1');
  const policies = (observed.config['cleanup.policy'] ?? '').split(',').map((p) => p.trim());
  if (policies.includes('compact')) settings.push('cleanup.policy=delete');
  if (settings.length > 0) {
    fixes.push(
      `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${topic} ` +
        `--add-config ${settings.join(',')} (events Kafka already deleted or compacted are gone: ` +
        'check the log with `cairn replay` before trusting it)',
    );
  }
  if (observed.partitions !== EVENTS_TOPIC_PARTITIONS) {
    fixes.push(
      `Kafka cannot reduce a topic's partitions: delete '${topic}' if it holds nothing of value, ` +
        'or run Cairn under another CAIRN_CLUSTER (a new topic, created with one partition)',
    );
  }
  return fixes;
}
