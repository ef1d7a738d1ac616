import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../core/repo-root';

/** The compiled CLI: what is measured is the production build (bench/run.js builds it). */
export function builtCli(): string {
  const cli = join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm run bench does)`);
  return cli;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How long a process gets to exit after a signal before it is SIGKILLed and the stop fails. */
const STOP_TIMEOUT_MS = 20_000;
/** Characters of a log file quoted in an error. */
const LOG_TAIL_CHARS = 3_000;

/**
 * One `cairn <command>` child process of a benchmark: its output goes to files in `logDir`
 * (quoted when it fails), and `stop()` signals it and waits for its exit.
 */
export class CairnProcess {
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly logPath: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        resolve(this.status);
      });
    });
  }

  static spawn(
    name: string,
    args: readonly string[],
    options: { env: Record<string, string>; logDir: string },
  ): CairnProcess {
    const logPath = join(options.logDir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    try {
      const child = spawn(process.execPath, [...nodeArgsFor(name), builtCli(), ...args], {
        env: { ...process.env, ...options.env },
        stdio: ['ignore', fd, fd],
      });
      if (child.pid === undefined) throw new Error(`could not spawn cairn ${args.join(' ')}`);
      return new CairnProcess(name, child, logPath);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL and an error after STOP_TIMEOUT_MS. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), STOP_TIMEOUT_MS)),
    );
    const status = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (status) return status;
    this.child.kill('SIGKILL');
    await this.exited;
    throw new Error(`${this.name} did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}\n${this.logTail()}`);
  }

  /** The end of its output, for error messages. */
  logTail(): string {
    try {
      const text = readFileSync(this.logPath, 'utf8');
      return `--- ${this.name} (${this.logPath}), last ${LOG_TAIL_CHARS} chars ---\n${text.slice(-LOG_TAIL_CHARS)}`;
    } catch {
      return `--- ${this.name}: no output ---`;
    }
  }
}

/**
 * Node flags for the Cairn processes a benchmark starts, from CAIRN_BENCH_NODE_ARGS (space
 * separated), for profiling a run: `CAIRN_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p"`
 * (Node refuses --cpu-prof in NODE_OPTIONS). CAIRN_BENCH_NODE_ARGS_ONLY limits them to processes
 * whose name starts with it (e.g. `master`).
 */
function nodeArgsFor(name: string): string[] {
  const args = process.env.CAIRN_BENCH_NODE_ARGS?.trim();
  const only = process.env.CAIRN_BENCH_NODE_ARGS_ONLY;
  if (!args || (only && !name.startsWith(only))) return [];
  return args.split(/\s+/);
}
