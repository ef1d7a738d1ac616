import { join } from 'node:path';
import type { EventLog } from '@cairn/eventlog';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { KafkaEventLog } from '@cairn/eventlog/kafka/kafka-event-log';
import type { CairnConfig } from '../config/cairn-config';

/** The configured log. A writer fences/locks on open; a reader (offline replay) does neither. */
export function createEventLog(config: CairnConfig, role: { writer: boolean; instance: string }): EventLog {
  if (config.log === 'kafka') {
    return new KafkaEventLog({
      brokers: config.kafkaBrokers,
      cluster: config.cluster,
      replicationFactor: config.kafkaReplicationFactor,
      writer: role.writer,
      instance: role.instance,
    });
  }
  return new FileEventLog({ dir: join(config.dataDir, 'log'), readOnly: !role.writer });
}
