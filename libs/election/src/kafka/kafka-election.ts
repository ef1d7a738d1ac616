import { SystemClock, type Clock } from '@cairn/common';
import type { KafkaLogSink } from '@cairn/eventlog/kafka/kafka-logger';
import type { KafkaConnection } from '@cairn/eventlog/kafka/kafka-client';
import type { Term } from '../election';
import { ElectionRunner } from '../election-runner';
import type { ElectionTimings } from '../election-timings';
import { KafkaElectionTransport } from './kafka-election-transport';

/** `brokers`, and TLS / SASL when the brokers need them (the same KafkaConnection as the log's). */
export interface KafkaElectionOptions extends KafkaConnection {
  /** Cluster name: the election topic is `<cluster>.leader`. */
  readonly cluster: string;
  /** This candidate's id: the master's `host:port`. */
  readonly candidate: string;
  readonly timings?: Partial<ElectionTimings>;
  /** Replication factor of a topic the election creates (3 in production, 1 on one test broker). */
  readonly replicationFactor?: number;
  /** Claims are for terms above this (the last LeaderElected term in the event log). */
  readonly minTerm?: Term;
  /** Defaults to the system clock; tests inject a pausable one. */
  readonly clock?: Clock;
  readonly logger?: KafkaLogSink;
}

/** A candidate of the election on Kafka (topic `<cluster>.leader`). */
export function kafkaElection(options: KafkaElectionOptions): ElectionRunner {
  const transport = new KafkaElectionTransport({
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl,
    cluster: options.cluster,
    candidate: options.candidate,
    replicationFactor: options.replicationFactor ?? 1,
    logger: options.logger,
  });
  return new ElectionRunner({
    candidate: options.candidate,
    clock: options.clock ?? new SystemClock(),
    transport,
    timings: options.timings,
    minTerm: options.minTerm,
    logger: options.logger,
  });
}
