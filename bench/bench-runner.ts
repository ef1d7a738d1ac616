import { randomBytes } from 'node:crypto';
import type { Benchmark, BenchContext } from './core/bench-context';
import { type BenchResult, type BenchRun, RESULTS_SCHEMA_VERSION } from './core/bench-result';
import { type KafkaForBench, provideKafka } from './core/kafka-broker';
import { machineInfo } from './core/machine-info';
import { TempDirs } from './core/temp-dirs';
import { fileAppendBenchmark } from './file-log/file-append.bench';
import { fileReplayBenchmark } from './file-log/file-replay.bench';
import { sequencerBenchmark } from './file-log/sequencer.bench';
import { replayToolsBenchmark } from './replay/replay-tools.bench';
import { stateScaleBenchmark } from './replay/state-scale.bench';
import { kafkaAppendBenchmark } from './kafka/kafka-append.bench';
import { kafkaReplayBenchmark } from './kafka/kafka-replay.bench';
import { launchRealBenchmark } from './agents/launch-real.bench';
import { launchSimulatedBenchmark } from './agents/launch-simulated.bench';
import { rollingRestartBenchmark } from './agents/rolling-restart.bench';
import { marathonEventsBenchmark } from './http/marathon-events.bench';
import { restLoadBenchmark } from './http/rest-load.bench';
import { restSizeBenchmark } from './http/rest-size.bench';
import { electionFailoverBenchmark } from './election/election-failover.bench';
import { masterFailoverBenchmark } from './ha/master-failover.bench';
import { masterRecoveryBenchmark } from './ha/master-recovery.bench';
import { envelopeBenchmark } from './agents/envelope.bench';

/** Every benchmark, in run order. */
export const BENCHMARKS: readonly Benchmark[] = [
  fileAppendBenchmark,
  sequencerBenchmark,
  fileReplayBenchmark,
  replayToolsBenchmark,
  stateScaleBenchmark,
  kafkaAppendBenchmark,
  kafkaReplayBenchmark,
  electionFailoverBenchmark,
  masterFailoverBenchmark,
  masterRecoveryBenchmark,
  launchSimulatedBenchmark,
  launchRealBenchmark,
  rollingRestartBenchmark,
  marathonEventsBenchmark,
  restLoadBenchmark,
  restSizeBenchmark,
  envelopeBenchmark,
];

export interface RunOptions {
  readonly smoke: boolean;
  /** Names or name prefixes (`kafka` selects both Kafka benchmarks); all when absent or empty. */
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
  /** Called with a cleanup the caller must run if it is interrupted (SIGINT) before the run ends. */
  readonly onCleanup?: (cleanup: () => Promise<void>) => void;
}

export function selectBenchmarks(only: readonly string[] | undefined): Benchmark[] {
  if (!only || only.length === 0) return [...BENCHMARKS];
  const unknown = only.filter((name) => !BENCHMARKS.some((b) => b.name.startsWith(name)));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.map((u) => `'${u}'`).join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
  }
  return BENCHMARKS.filter((b) => only.some((name) => b.name.startsWith(name)));
}

/**
 * Runs the selected benchmarks in this process, one after the other, each in fresh temp dirs;
 * provides Kafka (KAFKA_BROKERS, or a broker of its own) when one of them needs it and stops it
 * at the end, whatever happens.
 */
export async function runBenchmarks(options: RunOptions): Promise<BenchRun> {
  const log = options.log ?? (() => undefined);
  const selected = selectBenchmarks(options.only);
  const startedAt = new Date().toISOString();
  const dirs = new TempDirs();
  let kafka: KafkaForBench | undefined;
  const cleanup = async () => {
    dirs.removeAll();
    const running = kafka;
    kafka = undefined;
    await running?.stop();
  };
  options.onCleanup?.(cleanup);
  try {
    if (selected.some((b) => b.needsKafka)) kafka = await provideKafka(log);
    const ctx: BenchContext = {
      smoke: options.smoke,
      dirs,
      log,
      kafkaBrokers: kafka?.brokers,
      runId: `cairn-bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    };
    const results: BenchResult[] = [];
    for (const benchmark of selected) {
      log(`running ${benchmark.name}${options.smoke ? ' (smoke)' : ''}`);
      const started = process.hrtime.bigint();
      results.push(await benchmark.run(ctx));
      log(`${benchmark.name} done in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
      dirs.removeAll();
    }
    return {
      schema: RESULTS_SCHEMA_VERSION,
      mode: options.smoke ? 'smoke' : 'full',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: machineInfo(),
      kafka: kafka ? { brokers: kafka.brokers, source: kafka.source } : undefined,
      results,
    };
  } finally {
    await cleanup();
  }
}
