import type { BenchRow, BenchRun, Measured, TargetCheck } from './bench-result';

/** The human report: one table of ratios, the Kafka latencies, then how each figure was made. */
export function renderMarkdown(run: BenchRun): string {
  const lines: string[] = [];
  lines.push(`# Cairn benchmarks (${run.mode} run)`, '');
  lines.push(...machineLines(run), '');
  lines.push(
    'Each figure is the median over repetitions; every baseline ran in the same process and the same run, with the ' +
      'same settings and data. Ratio = Cairn ÷ baseline (higher is better; the absolute figures move with the machine, ' +
      'the ratio much less).',
    '',
  );
  lines.push('| Benchmark | Case | Cairn | Baseline | Ratio | Target |', '|---|---|---:|---:|---:|---|');
  for (const result of run.results) {
    for (const r of result.rows) {
      lines.push(
        `| ${result.title} | ${r.case} | ${rate(r.subject, r.unit)} | ${rate(r.baseline, r.unit)} | ${r.ratio.toFixed(2)} | ${targets(r.targets)} |`,
      );
    }
  }
  const latencyRows = run.results.flatMap((result) => result.rows.filter(hasLatency).map((r) => ({ result, r })));
  if (latencyRows.length > 0) {
    lines.push(
      '',
      '| Latency per batch | Case | Cairn p50 | Cairn p99 | Baseline p50 | Baseline p99 |',
      '|---|---|---:|---:|---:|---:|',
    );
    for (const { result, r } of latencyRows) {
      lines.push(
        `| ${result.title} | ${r.case} | ${ms(r.subject.p50Ms)} | ${ms(r.subject.p99Ms)} | ${ms(r.baseline.p50Ms)} | ${ms(r.baseline.p99Ms)} |`,
      );
    }
  }
  for (const result of run.results) {
    lines.push(
      '',
      `## ${result.title} \`${result.name}\``,
      '',
      `Cairn: ${labels(result.rows, 'subject')}. Baseline: ${labels(result.rows, 'baseline')}.`,
      '',
    );
    lines.push(`Method: ${result.method}.`, '');
    lines.push(`Settings: ${keyValues(result.settings)}.`, '');
    for (const r of result.rows) {
      const details = Object.keys(r.details).length > 0 ? `; ${keyValues(r.details)}` : '';
      lines.push(`- ${r.case}: Cairn runs ${runs(r.subject)}; baseline runs ${runs(r.baseline)} (${r.unit})${details}`);
    }
    for (const note of result.notes ?? []) lines.push('', `Note: ${note}`);
  }
  return lines.join('\n') + '\n';
}

function machineLines(run: BenchRun): string[] {
  const m = run.machine;
  const lines = [
    `- When: ${run.startedAt} → ${run.finishedAt}`,
    `- Machine: ${m.cpus} × ${m.cpuModel}, ${m.totalMemoryGiB} GiB, ${m.platform} ${m.arch}, Node ${m.node}`,
    `- Temp dir (log files): ${m.tmpDir}`,
  ];
  if (run.kafka) lines.push(`- Kafka: ${run.kafka.brokers}, ${run.kafka.source}`);
  return lines;
}

function rate(m: Measured, unit: string): string {
  return `${Math.round(m.perSecond).toLocaleString('en-US')} ${unit}`;
}

function targets(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '—';
  return checks
    .map((t) => `${t.description}: ${t.met === null ? 'not judged (smoke)' : t.met ? 'met' : '**missed**'}`)
    .join('; ');
}

function hasLatency(r: BenchRow): boolean {
  return r.subject.p50Ms !== undefined && r.baseline.p50Ms !== undefined;
}

function ms(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function runs(m: Measured): string {
  return `[${m.runs.map((v) => Math.round(v).toLocaleString('en-US')).join(', ')}]`;
}

function labels(rows: readonly BenchRow[], side: 'subject' | 'baseline'): string {
  return [...new Set(rows.map((r) => r[side].label))].join(', ');
}

function keyValues(values: Record<string, number | string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
    .join(', ');
}
