import { join } from 'node:path';
import { FileSnapshotStore, KafkaSnapshotStore, NodeFs, type EventLog, type SnapshotStore } from '@cairn/eventlog';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { KafkaEventLog } from '@cairn/eventlog/kafka/kafka-event-log';
import type { CairnConfig } from '../config/cairn-config';
import { kafkaConnection } from '../config/kafka-connection';
import { kafkaElection, SoleElection } from '@cairn/election';
import type { CreateElection, OpenLogWriter } from '../core/master-runtime';

/** The configured log. A writer fences/locks on open; a reader (a standby, offline replay) does neither. */
export function createEventLog(config: CairnConfig, role: { writer: boolean; instance: string }): EventLog {
  if (config.log === 'kafka') {
    return new KafkaEventLog({
      ...kafkaConnection(config),
      cluster: config.cluster,
      replicationFactor: config.kafkaReplicationFactor,
      writer: role.writer,
      instance: role.instance,
    });
  }
  return new FileEventLog({ dir: join(config.dataDir, 'log'), readOnly: !role.writer });
}

/** Where snapshots are kept: files beside the file log, or the `<cluster>.snapshots` topic on Kafka. */
export function createSnapshotStore(config: CairnConfig, instance: string): SnapshotStore {
  if (config.log === 'kafka') {
    return new KafkaSnapshotStore({
      ...kafkaConnection(config),
      cluster: config.cluster,
      replicationFactor: config.kafkaReplicationFactor,
      instance,
      keep: config.snapshotsKept,
    });
  }
  return new FileSnapshotStore(new NodeFs(), join(config.dataDir, 'snapshots'), config.snapshotsKept);
}

/**
 * What the runtime needs to lead: open the writer when elected, and the election itself. The file
 * log admits one writer (its lock, taken when the log opens), so its master is the sole candidate
 * and its "writer" is the log it already opened. On Kafka every master is a candidate, reads with
 * a reader log and opens a fencing writer only when elected.
 */
export function leadershipFor(
  config: CairnConfig,
  log: EventLog,
  instance: string,
): { openWriter: OpenLogWriter; createElection: CreateElection } {
  if (config.log !== 'kafka') {
    return { openWriter: async () => log, createElection: (name, minTerm) => new SoleElection(name, minTerm) };
  }
  return {
    openWriter: async () => {
      const writer = createEventLog(config, { writer: true, instance });
      await writer.open();
      return writer;
    },
    createElection: (name, minTerm) =>
      kafkaElection({
        ...kafkaConnection(config),
        cluster: config.cluster,
        candidate: name,
        timings: { heartbeatMs: config.electionHeartbeatMs, electionTimeoutMs: config.electionTimeoutMs },
        replicationFactor: config.kafkaReplicationFactor,
        minTerm,
      }),
  };
}
