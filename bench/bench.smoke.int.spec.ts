import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCHMARKS, runBenchmarks } from './bench-runner';
import type { BenchRow, BenchRun, Measured } from './core/bench-result';
import { renderMarkdown } from './core/markdown-report';
import { leftoverWrappers } from './agents/leftover-wrappers';
import { writeResults } from './run';

// Every benchmark at tiny size, in process, through the exported runner: proves each one still
// runs against the current code and reports well-formed figures. Never judges speed. The Kafka
// benchmarks use KAFKA_BROKERS, or a broker the runner starts and stops itself.
const SMOKE_TIMEOUT_MS = 240_000;

describe('npm run bench -- --smoke', () => {
  let run: BenchRun;

  beforeAll(async () => {
    run = await runBenchmarks({ smoke: true, log: () => undefined });
  }, SMOKE_TIMEOUT_MS);

  it('runs every benchmark once, in order, as a smoke run', () => {
    expect(run.mode).toBe('smoke');
    expect(run.results.map((r) => r.name)).toEqual(BENCHMARKS.map((b) => b.name));
    expect(run.machine.cpus).toBeGreaterThan(0);
    expect(run.machine.node).toBe(process.version);
    expect(run.kafka?.brokers.length).toBeGreaterThan(0);
  });

  it.each(BENCHMARKS.map((b) => b.name))('%s reports positive figures and a ratio for every row', (name) => {
    const result = run.results.find((r) => r.name === name)!;
    expect(result.rows.length).toBeGreaterThan(0);
    expect(result.method.length).toBeGreaterThan(0);
    for (const row of result.rows) expectWellFormed(row);
  });

  it('measures per-transaction latency for each Kafka batch size', () => {
    const kafka = run.results.find((r) => r.name === 'kafka-append')!;
    expect(kafka.rows.map((r) => r.case)).toEqual(['batch of 1 event', 'batch of 10 events', 'batch of 100 events']);
    for (const row of kafka.rows) {
      for (const side of [row.subject, row.baseline]) {
        expect(side.p50Ms).toBeGreaterThan(0);
        expect(side.p99Ms).toBeGreaterThanOrEqual(side.p50Ms!);
      }
    }
  });

  it('reports how the file log grouped its appends', () => {
    const append = run.results.find((r) => r.name === 'file-append')!.rows[0];
    expect(append.details.eventsPerFsync).toBeGreaterThanOrEqual(1);
    expect(append.details.diskBytesPerEvent).toBeGreaterThan(200);
  });

  it('launches every simulated task to RUNNING and times each one from its scale command', () => {
    const launch = run.results.find((r) => r.name === 'launch-simulated')!;
    const [row] = launch.rows;
    const tasks = Number(launch.settings.tasks);
    expect(row.details.statusUpdatesAcked).toBe(tasks);
    expect(row.details.agentRegistrations).toBe(launch.settings.agents);
    expect(row.details.eventsPerTask).toBeGreaterThanOrEqual(2); // TaskLaunched + RUNNING at least
    expect(row.subject.p50Ms).toBeGreaterThanOrEqual(0);
    expect(row.subject.p99Ms).toBeGreaterThanOrEqual(row.subject.p50Ms!);
  });

  it('leaves no task wrapper of the real launch benchmark running', () => {
    const real = run.results.find((r) => r.name === 'launch-real')!;
    expect(real.rows[0].subject.ops).toBe(real.settings.tasks);
    // Its temp dirs are gone by now; a wrapper still alive would show its deleted sandbox as cwd.
    expect(leftoverWrappersWithPrefix(join(tmpdir(), 'cairn-bench-launch-real-'))).toEqual([]);
  });

  it('loses no accepted write of the REST load, and refuses only cleanly', () => {
    const [load] = run.results.find((r) => r.name === 'rest-load')!.rows;
    expect(load.details.accepted).toBeGreaterThan(0);
    expect({ lost: load.details.lost, other: load.details.other }).toEqual({ lost: 0, other: 0 });
  });

  it('renders one table line per row and never judges targets in a smoke run', () => {
    const markdown = renderMarkdown(run);
    for (const result of run.results) {
      for (const row of result.rows) {
        expect(markdown).toContain(`| ${result.title} | ${row.case} |`);
        for (const t of row.targets) expect(t.met).toBeNull();
      }
    }
    expect(markdown).toContain(`Node ${process.version}`);
  });

  it('writes the JSON and Markdown results', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-results-'));
    try {
      const files = writeResults(run, dir, renderMarkdown(run));
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
        `${run.startedAt.replace(/[:.]/g, '-')}-smoke.json`,
        'latest-smoke.json',
        'latest-smoke.md',
      ]);
      expect(JSON.parse(readFileSync(files[1], 'utf8'))).toEqual(JSON.parse(JSON.stringify(run)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Live task wrappers whose cwd starts with `prefix` (a temp dir name prefix, not a directory). */
function leftoverWrappersWithPrefix(prefix: string): string[] {
  return leftoverWrappers([tmpdir()])
    .map((w) => w.cwd)
    .filter((cwd) => cwd.startsWith(prefix));
}

function expectWellFormed(row: BenchRow): void {
  expect(row.unit).toMatch(/\/s$/);
  for (const side of [row.subject, row.baseline]) expectMeasured(side);
  expect(row.ratio).toBeCloseTo(row.subject.perSecond / row.baseline.perSecond, 10);
  expect(Number.isFinite(row.ratio) && row.ratio > 0).toBe(true);
}

function expectMeasured(m: Measured): void {
  expect(m.label.length).toBeGreaterThan(0);
  expect(Number.isFinite(m.perSecond)).toBe(true);
  expect(m.perSecond).toBeGreaterThan(0);
  expect(m.runs).toHaveLength(1);
  expect(m.ops).toBeGreaterThan(0);
  expect(m.seconds).toBeGreaterThan(0);
}
