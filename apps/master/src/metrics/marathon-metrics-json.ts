import type { MetricObjectWithValues, MetricValue, MetricValueWithName } from 'prom-client';

/** Marathon's `/metrics` (Dropwizard's JSON, as Marathon 1.4-1.6 serve it). */
export interface MarathonMetrics {
  readonly version: string;
  readonly gauges: Record<string, { value: number }>;
  readonly counters: Record<string, { count: number }>;
  readonly histograms: Record<string, MarathonHistogram>;
  readonly meters: Record<string, never>;
  readonly timers: Record<string, never>;
}

export interface MarathonHistogram {
  count: number;
  mean: number;
  p50: number;
  p75: number;
  p95: number;
  p98: number;
  p99: number;
  p999: number;
}

const QUANTILES: [keyof MarathonHistogram, number][] = [
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
  ['p98', 0.98],
  ['p99', 0.99],
  ['p999', 0.999],
];

/**
 * The same registry in Marathon's JSON shape: a metric's labels become part of its name
 * (`cairn_tasks{state="TASK_RUNNING"}`), counters give `count`, gauges `value`, histograms their
 * count, mean and quantiles. Prometheus keeps buckets, not samples, so a quantile is the upper bound
 * of the bucket it falls in (the largest finite bound when it falls past them).
 */
export function marathonMetricsJson(metrics: readonly MetricObjectWithValues<MetricValue<string>>[]): MarathonMetrics {
  const out: MarathonMetrics = { version: '4.0.0', gauges: {}, counters: {}, histograms: {}, meters: {}, timers: {} };
  for (const metric of metrics) {
    // prom-client's types say an enum; at run time getMetricsAsJSON gives the type's name.
    const type = metric.type as unknown as string;
    if (type === 'counter') {
      for (const v of metric.values) out.counters[nameOf(metric.name, v.labels)] = { count: v.value };
    } else if (type === 'gauge') {
      for (const v of metric.values) out.gauges[nameOf(metric.name, v.labels)] = { value: v.value };
    } else if (type === 'histogram') {
      for (const [name, series] of histogramSeries(metric)) out.histograms[name] = summarise(series);
    }
  }
  return out;
}

interface Series {
  buckets: [bound: number, cumulative: number][];
  sum: number;
  count: number;
}

/** prom-client gives a histogram as `<name>_bucket` (with `le`), `<name>_sum` and `<name>_count` values. */
function histogramSeries(metric: MetricObjectWithValues<MetricValue<string>>): Map<string, Series> {
  const series = new Map<string, Series>();
  for (const value of metric.values as MetricValueWithName<string>[]) {
    const { le, ...labels } = value.labels as Record<string, string | number>;
    const key = nameOf(metric.name, labels);
    const entry = series.get(key) ?? series.set(key, { buckets: [], sum: 0, count: 0 }).get(key)!;
    if (value.metricName?.endsWith('_bucket')) entry.buckets.push([Number(le), value.value]);
    else if (value.metricName?.endsWith('_sum')) entry.sum = value.value;
    else if (value.metricName?.endsWith('_count')) entry.count = value.value;
  }
  return series;
}

function summarise({ buckets, sum, count }: Series): MarathonHistogram {
  const sorted = buckets.sort((a, b) => a[0] - b[0]);
  const largestFinite = [...sorted].reverse().find(([bound]) => Number.isFinite(bound))?.[0] ?? 0;
  const quantile = (q: number) => {
    if (count === 0) return 0;
    const bucket = sorted.find(([, cumulative]) => cumulative >= q * count);
    return bucket && Number.isFinite(bucket[0]) ? bucket[0] : largestFinite;
  };
  const summary: MarathonHistogram = {
    count,
    mean: count === 0 ? 0 : sum / count,
    p50: 0,
    p75: 0,
    p95: 0,
    p98: 0,
    p99: 0,
    p999: 0,
  };
  for (const [field, q] of QUANTILES) summary[field] = quantile(q);
  return summary;
}

function nameOf(name: string, labels: Record<string, string | number | undefined>): string {
  const entries = Object.entries(labels).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([k, v]) => `${k}="${String(v)}"`).join(',')}}`;
}
