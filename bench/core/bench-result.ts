/**
 * The shape of `npm run bench` output (bench/results/*.json). Every figure for Cairn's production
 * path sits beside a baseline measured in the same run with the same settings, so the ratio
 * survives a noisy, shared machine even when the absolute numbers do not.
 */
export const RESULTS_SCHEMA_VERSION = 1;

/** One side of a comparison: the median over repetitions, and every repetition's figure. */
export interface Measured {
  /** What ran, e.g. "FileEventLog.append" or "writeSync + fdatasync". */
  readonly label: string;
  /** Median over repetitions of operations per second (the unit is the row's). */
  readonly perSecond: number;
  /** Operations per second of each repetition, in run order. */
  readonly runs: number[];
  /** Operations counted in one repetition. */
  readonly ops: number;
  /** Median wall time of one repetition. */
  readonly seconds: number;
  /** Median over repetitions of each repetition's latency percentiles, when latencies were taken. */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

/** A published target (perf.md); `met` is null when not judged (the smoke run never judges). */
export interface TargetCheck {
  readonly description: string;
  readonly met: boolean | null;
}

export interface BenchRow {
  /** What varies between rows of one benchmark, e.g. "batch of 10 events". */
  readonly case: string;
  /** Unit of `perSecond`: "events/s", "commands/s". */
  readonly unit: string;
  readonly subject: Measured;
  readonly baseline: Measured;
  /** subject.perSecond / baseline.perSecond. */
  readonly ratio: number;
  readonly targets: TargetCheck[];
  /** Facts about this row worth printing (batch sizes seen, bytes per event, absolute seconds). */
  readonly details: Record<string, number | string>;
}

export interface BenchResult {
  /** Stable name, what `--only` selects: "file-append". */
  readonly name: string;
  readonly title: string;
  /** One line: what the subject does and what the baseline does. */
  readonly method: string;
  readonly settings: Record<string, number | string>;
  readonly rows: BenchRow[];
  /** How to read the figures, where they can surprise. */
  readonly notes?: string[];
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly tmpDir: string;
}

export interface BenchRun {
  readonly schema: number;
  readonly mode: 'full' | 'smoke';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  /** Where Kafka came from: "KAFKA_BROKERS" or "started by the runner (Kafka 4.1.1)"; absent without Kafka benchmarks. */
  readonly kafka?: { readonly brokers: string; readonly source: string };
  readonly results: BenchResult[];
}
