import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** The adapter's log output; Nest's Logger or pino fit behind a two-line wrapper. */
export interface KafkaLogSink {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/**
 * Routes kafkajs's log into a sink.
 *
 * kafkajs logs every error response at ERROR level from its connection layer, including the
 * ones it retries as a matter of course (CONCURRENT_TRANSACTIONS after every commit, coordinator
 * loading at start-up). Those go to debug: the adapter reports the failures that matter itself.
 * Its warning about limited producer retries is deliberate here (bounded retries, see
 * KAFKA_RETRY), so it goes to debug too, and so does its INFO level: every read starts and stops
 * a consumer, and kafkajs narrates each one.
 */
export function kafkaLogCreator(sink: KafkaLogSink | undefined): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      if (!sink) return;
      const { message, ...context } = log;
      const text = `kafkajs ${namespace}: ${message}`;
      const routine =
        (namespace === 'Connection' && /^Response /.test(message)) ||
        /Limiting retries for the idempotent producer/.test(message);
      if (routine || level >= logLevel.INFO) sink.debug(text, context);
      else if (level === logLevel.WARN) sink.warn(text, context);
      else sink.error(text, context);
    };
}
