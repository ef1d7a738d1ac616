import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';
import { TempDirs } from './temp-dirs';

/** What infra/kafka/broker.js (plain CommonJS) exports that the runner uses. */
interface BrokerModule {
  readonly KAFKA_VERSION: string;
  startBroker(options: {
    dataDir: string;
    port: number;
    controllerPort: number;
    log?: (line: string) => void;
  }): Promise<{ brokers: string; startMs: number; stop(): Promise<unknown> }>;
}

export interface KafkaForBench {
  /** Comma-separated bootstrap list. */
  readonly brokers: string;
  /** Where it came from, for the report. */
  readonly source: string;
  /** Stops the broker the runner started (a no-op for KAFKA_BROKERS) and removes its data. */
  stop(): Promise<void>;
}

/**
 * KAFKA_BROKERS when set; otherwise a single-node broker of our own on free ports in a fresh
 * directory, stopped by `stop()`. Failing to start one is an error, never a silent skip.
 */
export async function provideKafka(log: (line: string) => void): Promise<KafkaForBench> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  if (configured) return { brokers: configured, source: 'KAFKA_BROKERS', stop: async () => undefined };

  const broker = (await import(join(repoRoot(), 'infra', 'kafka', 'broker.js'))) as BrokerModule;
  const dirs = new TempDirs();
  const dataDir = dirs.make('kafka');
  const [port, controllerPort] = [await freePort(), await freePort()];
  log(`starting a Kafka ${broker.KAFKA_VERSION} broker on 127.0.0.1:${port} (KAFKA_BROKERS is unset)`);
  let running: Awaited<ReturnType<BrokerModule['startBroker']>>;
  try {
    running = await broker.startBroker({ dataDir, port, controllerPort, log: (line) => log(`[kafka] ${line}`) });
  } catch (error) {
    dirs.removeAll();
    throw error;
  }
  log(`Kafka broker up in ${(running.startMs / 1000).toFixed(1)} s`);
  return {
    brokers: running.brokers,
    source: `started by the runner (Kafka ${broker.KAFKA_VERSION}, single node)`,
    stop: async () => {
      try {
        await running.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        dirs.removeAll();
      }
    },
  };
}
