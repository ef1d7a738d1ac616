import type { BenchRow, Measured, TargetCheck } from './bench-result';
import { median, percentile } from './stats';

/** What one repetition of one side produced. */
export interface Sample {
  /** Operations done (events appended, events replayed, commands answered). */
  readonly ops: number;
  readonly seconds: number;
  /** Per-operation or per-batch latencies, when the benchmark measures them. */
  readonly latenciesMs?: readonly number[];
}

export interface Side {
  readonly label: string;
  /** One repetition; `repetition` is 0-based, -1 for the warm-up. */
  run(repetition: number): Promise<Sample>;
}

export interface CompareOptions {
  readonly subject: Side;
  readonly baseline: Side;
  readonly repetitions: number;
  /** Run each side once, unmeasured, first (JIT, page cache, broker connections). */
  readonly warmUp: boolean;
  /**
   * 'alternate' (default): ABBA, the side that goes first alternates. 'subject-first': the
   * baseline of each repetition replays what the subject just did (the file log's write pattern).
   */
  readonly order?: 'alternate' | 'subject-first';
}

export interface Comparison {
  readonly subject: Measured;
  readonly baseline: Measured;
  readonly ratio: number;
}

/**
 * Runs subject and baseline in the same process, interleaved (ABBA: the side that goes first
 * alternates), so drift on a shared machine (other tenants, page cache, thermal) hits both.
 * Reports the median of the repetitions.
 */
export async function compare({
  subject,
  baseline,
  repetitions,
  warmUp,
  order = 'alternate',
}: CompareOptions): Promise<Comparison> {
  if (warmUp) {
    await subject.run(-1);
    await baseline.run(-1);
  }
  const subjectSamples: Sample[] = [];
  const baselineSamples: Sample[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    const sides = order === 'subject-first' || rep % 2 === 0 ? [subject, baseline] : [baseline, subject];
    for (const side of sides) {
      const sample = await side.run(rep);
      checkSample(side.label, sample);
      (side === subject ? subjectSamples : baselineSamples).push(sample);
    }
  }
  const s = summarise(subject.label, subjectSamples);
  const b = summarise(baseline.label, baselineSamples);
  return { subject: s, baseline: b, ratio: s.perSecond / b.perSecond };
}

export function summarise(label: string, samples: readonly Sample[]): Measured {
  const runs = samples.map((s) => s.ops / s.seconds);
  const withLatency = samples.filter((s) => s.latenciesMs && s.latenciesMs.length > 0);
  const latency =
    withLatency.length > 0
      ? {
          p50Ms: median(withLatency.map((s) => percentile(s.latenciesMs!, 50))),
          p99Ms: median(withLatency.map((s) => percentile(s.latenciesMs!, 99))),
        }
      : {};
  return {
    label,
    perSecond: median(runs),
    runs,
    ops: median(samples.map((s) => s.ops)),
    seconds: median(samples.map((s) => s.seconds)),
    ...latency,
  };
}

export function row(fields: {
  case: string;
  unit: string;
  comparison: Comparison;
  targets?: TargetCheck[];
  details?: Record<string, number | string>;
}): BenchRow {
  return {
    case: fields.case,
    unit: fields.unit,
    subject: fields.comparison.subject,
    baseline: fields.comparison.baseline,
    ratio: fields.comparison.ratio,
    targets: fields.targets ?? [],
    details: fields.details ?? {},
  };
}

/** A target judged only in a full run: a smoke run's sizes say nothing about speed. */
export function target(description: string, judge: boolean, met: boolean): TargetCheck {
  return { description, met: judge ? met : null };
}

function checkSample(label: string, sample: Sample): void {
  if (!(sample.ops > 0) || !(sample.seconds > 0)) {
    throw new Error(`benchmark side '${label}' produced no measurement (ops ${sample.ops}, seconds ${sample.seconds})`);
  }
}
