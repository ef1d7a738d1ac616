import type { BenchResult } from './bench-result';
import type { TempDirs } from './temp-dirs';

/** What every benchmark gets from the runner. */
export interface BenchContext {
  /** Tiny sizes, one repetition, no warm-up, targets not judged: proves the benchmark runs. */
  readonly smoke: boolean;
  readonly dirs: TempDirs;
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Bootstrap brokers, when a Kafka benchmark was selected. */
  readonly kafkaBrokers?: string;
  /** Unique per run: Kafka cluster names (topics, transactional ids) derive from it. */
  readonly runId: string;
}

export interface Benchmark {
  readonly name: string;
  readonly needsKafka: boolean;
  run(ctx: BenchContext): Promise<BenchResult>;
}

/** Picks the full or the smoke value of a size. */
export function sized<T>(ctx: BenchContext, sizes: { readonly full: T; readonly smoke: T }): T {
  return ctx.smoke ? sizes.smoke : sizes.full;
}

export function requireKafka(ctx: BenchContext): string[] {
  if (!ctx.kafkaBrokers)
    throw new Error('this benchmark needs Kafka: the runner provides it (KAFKA_BROKERS or its own broker)');
  return ctx.kafkaBrokers.split(',').map((b) => b.trim());
}
