import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-paths';

export interface ConsoleRecord {
  readonly key: string | null;
  readonly value: string;
}

export interface ConsoleConsumeOptions {
  readonly brokers: string;
  readonly topic: string;
  /** Stop after this long without a new message. */
  readonly timeoutMs?: number;
  readonly maxMessages?: number;
}

interface BrokerModule {
  consoleConsume(options: ConsoleConsumeOptions): Promise<string[]>;
  consoleConsumeRecords(options: ConsoleConsumeOptions): Promise<ConsoleRecord[]>;
}

// infra/kafka/broker.js is plain CommonJS (it runs before any build) and ships no types.
const load = createRequire(__filename);
const broker = (): BrokerModule => load(join(REPO_ROOT, 'infra', 'kafka', 'broker.js')) as BrokerModule;

/**
 * Reads a topic from the beginning with Kafka's own Java console consumer (read_committed): a
 * client that shares no code with Cairn, as an integrator's would.
 */
export function consoleConsumeRecords(options: ConsoleConsumeOptions): Promise<ConsoleRecord[]> {
  return broker().consoleConsumeRecords(options);
}

export function consoleConsume(options: ConsoleConsumeOptions): Promise<string[]> {
  return broker().consoleConsume(options);
}
