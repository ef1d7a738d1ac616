export { KafkaEventLog } from './kafka-event-log';
export type { KafkaEventLogOptions } from './kafka-options';
export type { KafkaLogSink } from './kafka-logger';
export { KafkaAppendFailedError } from './kafka-append-failed.error';
export { isFencingError, findFencingError } from './fencing-error';
export { newKafkaClient, kafkaClientConfig, type KafkaConnection } from './kafka-client';
