export { kafkaElection, type KafkaElectionOptions } from './kafka-election';
export { KafkaElectionTransport, ELECTION_FETCH_MAX_WAIT_MS } from './kafka-election-transport';
export { ensureLeaderTopic, ElectionTopicError } from './kafka-leader-topic';
export * from './leader-topic-config';
