import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCHMARKS, runBenchmarks } from './bench-runner';
import type { BenchRun } from './core/bench-result';
import { renderMarkdown } from './core/markdown-report';
import { repoRoot } from './core/repo-root';

const USAGE = `usage: npm run bench -- [--smoke] [--only <name>[,<name>...]] [--out <dir>]

  --smoke        tiny sizes, one repetition, targets not judged (what the test suite runs)
  --only <name>  run only these benchmarks (a prefix works: --only kafka); repeatable
  --out <dir>    where results go (default bench/results)

benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}
Kafka: KAFKA_BROKERS if set, otherwise the runner starts (and stops) a broker of its own.`;

interface CliOptions {
  readonly smoke: boolean;
  readonly only: string[];
  readonly outDir: string;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  let smoke = false;
  let help = false;
  let outDir = join(repoRoot(), 'bench', 'results');
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--smoke') smoke = true;
    else if (flag === '--only') only.push(...value().split(',').filter(Boolean));
    else if (flag === '--out') outDir = value();
    else if (flag === '--help' || flag === '-h') help = true;
    else throw new Error(`unknown argument '${argv[i]}'`);
  }
  return { smoke, only, outDir, help };
}

/** Writes <timestamp>.json and latest.json + latest.md (smoke runs: *-smoke, latest-smoke.*). */
export function writeResults(run: BenchRun, outDir: string, markdown: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const suffix = run.mode === 'smoke' ? '-smoke' : '';
  const stamp = run.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(run, null, 2) + '\n';
  const files = [
    join(outDir, `${stamp}${suffix}.json`),
    join(outDir, `latest${suffix}.json`),
    join(outDir, `latest${suffix}.md`),
  ];
  writeFileSync(files[0], json);
  writeFileSync(files[1], json);
  writeFileSync(files[2], markdown);
  return files;
}

/** `npm run bench`: resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const cleanups: (() => Promise<void>)[] = [];
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const run = await runBenchmarks({
      smoke: options.smoke,
      only: options.only,
      log,
      onCleanup: (c) => cleanups.push(c),
    });
    const markdown = renderMarkdown(run);
    const files = writeResults(run, options.outDir, markdown);
    process.stdout.write(markdown);
    log(`wrote ${files.join(', ')}`);
    return 0;
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
