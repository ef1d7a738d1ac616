/**
 * What the election requires of its topic `<cluster>.leader`, as pure checks (I/O in
 * kafka-leader-topic.ts). Unlike the event log, it must NOT keep everything: every candidate
 * reads it from its start when it starts, and a leader writes ~10 heartbeats a second, so a
 * topic kept forever would make every start slower. Only the current term's records matter
 * (and a heartbeat alone proves its sender won its term, so losing the claim is harmless).
 */
export const LEADER_TOPIC_PARTITIONS = 1;
/** Six hours: enough to read what happened around a failover, small enough to read at start. */
export const LEADER_TOPIC_RETENTION_MS = 6 * 60 * 60 * 1000;
/** Kafka deletes whole segments only; the default segment.ms (7 days) would defeat retention. */
export const LEADER_TOPIC_SEGMENT_MS = 60 * 60 * 1000;
/** Below this, a slow standby could miss the current term's records between two fetches. */
export const LEADER_TOPIC_RETENTION_MIN_MS = 10 * 60 * 1000;

export const LEADER_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': String(LEADER_TOPIC_RETENTION_MS),
  'retention.bytes': '-1',
  'segment.ms': String(LEADER_TOPIC_SEGMENT_MS),
};

export const LEADER_CHECKED_CONFIG_NAMES = ['cleanup.policy', 'retention.ms'] as const;

export interface ObservedLeaderTopic {
  readonly partitions: number;
  readonly config: Readonly<Record<string, string | undefined>>;
}

/** Every reason the election refuses this topic; empty when it is fit. */
export function leaderTopicProblems(topic: ObservedLeaderTopic): string[] {
  const problems: string[] = [];
  if (topic.partitions !== LEADER_TOPIC_PARTITIONS) {
    problems.push(
      `it has ${topic.partitions} partitions; the election needs exactly ${LEADER_TOPIC_PARTITIONS} (claims are won in offset order)`,
    );
  }
  const policies = (topic.config['cleanup.policy'] ?? '').split(',').map((p) => p.trim());
  if (policies.includes('compact')) {
    problems.push(`cleanup.policy is '${topic.config['cleanup.policy']}'; compaction would reorder what claims mean`);
  }
  const raw = topic.config['retention.ms'];
  const retentionMs = raw !== undefined && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (Number.isNaN(retentionMs)) {
    problems.push(`retention.ms is ${raw ?? 'unknown'}; it must be a finite number of milliseconds`);
  } else if (retentionMs < 0) {
    problems.push(
      `retention.ms is ${raw} (kept forever); it must be finite (e.g. ${LEADER_TOPIC_RETENTION_MS}) or every start reads every heartbeat ever written`,
    );
  } else if (retentionMs < LEADER_TOPIC_RETENTION_MIN_MS) {
    problems.push(`retention.ms is ${raw}; it must be at least ${LEADER_TOPIC_RETENTION_MIN_MS}`);
  }
  return problems;
}
