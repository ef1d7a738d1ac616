import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaLogCreator, type KafkaLogSink } from './kafka-logger';
import { KAFKA_RETRY } from './kafka-options';

/**
 * How every Kafka client of a master reaches the brokers: the bootstrap list and, in production,
 * TLS and SASL in kafkajs's own shapes. The master builds it once from its configuration
 * (apps/master/src/config/kafka-connection.ts); the log's reader and writer and the election all
 * take the same one.
 */
export interface KafkaConnection {
  /** Bootstrap brokers, `host:port`. Use 127.0.0.1, not localhost (Node may try ::1 first). */
  readonly brokers: string[];
  /** TLS to the brokers: `true` for the system CAs, or node's TLS options (ca, cert, key, ...). */
  readonly ssl?: ConnectionOptions | boolean;
  /** SASL authentication (PLAIN or SCRAM); over TLS unless the network is trusted. */
  readonly sasl?: SASLOptions;
}

/** The one place a kafkajs client is built: retries explicit, logs routed, TLS/SASL passed through. */
export function newKafkaClient(connection: KafkaConnection, clientId: string, logger: KafkaLogSink | undefined): Kafka {
  return new Kafka(kafkaClientConfig(connection, clientId, logger));
}

export function kafkaClientConfig(
  connection: KafkaConnection,
  clientId: string,
  logger: KafkaLogSink | undefined,
): KafkaConfig {
  return {
    clientId,
    brokers: [...connection.brokers],
    ...(connection.ssl !== undefined && connection.ssl !== false && { ssl: connection.ssl }),
    ...(connection.sasl !== undefined && { sasl: connection.sasl }),
    retry: { ...KAFKA_RETRY },
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: kafkaLogCreator(logger),
  };
}
