import type { KafkaConnection } from '@cairn/eventlog/kafka/kafka-client';
import type { CairnConfig } from './cairn-config';

/**
 * The one function that turns the master's configuration into how its Kafka clients connect:
 * brokers, TLS and SASL in kafkajs's shapes. The log's reader and writer, the election and
 * `cairn replay` all get their connection from here, so a broker that needs TLS or SASL is
 * reached the same way by every client.
 */
export function kafkaConnection(config: CairnConfig): KafkaConnection {
  const { tls, sasl } = config.kafkaSecurity;
  return {
    brokers: [...config.kafkaBrokers],
    ...(tls && {
      ssl: {
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(tls.ca !== undefined && { ca: [tls.ca] }),
        ...(tls.cert !== undefined && { cert: tls.cert }),
        ...(tls.key !== undefined && { key: tls.key.reveal() }),
      },
    }),
    ...(sasl && { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password.reveal() } }),
  };
}
