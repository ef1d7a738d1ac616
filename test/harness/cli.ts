import { baseChildEnv, withEnv } from './child-env';
import { ExitStatus, spawnTracked, TrackedProcess } from './process-registry';
import { requireBuiltCli } from './repo-paths';
import { waitFor } from './wait-for';

export interface CliOptions {
  /** Variables for the CLI (e.g. `master.cliEnv()`); `undefined` removes one. */
  readonly env?: Record<string, string | undefined>;
  /** Written to the CLI's stdin, which is then closed. */
  readonly stdin?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const CLI_TIMEOUT_MS = 30_000;

function spawnCli(args: readonly string[], options: CliOptions): TrackedProcess {
  return spawnTracked(process.execPath, [requireBuiltCli(), ...args], {
    env: withEnv(baseChildEnv(), options.env),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the compiled CLI to completion. A CLI that outlives `timeoutMs` is killed and reported. */
export async function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const proc = spawnCli(args, options);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  proc.child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  proc.child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  // 'close' comes after 'exit' once both pipes are drained, so no output is lost.
  const closed = new Promise<void>((resolve) => proc.child.once('close', () => resolve()));
  proc.child.stdin!.on('error', () => undefined); // the CLI may exit without reading stdin
  proc.child.stdin!.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    proc.signalGroup('SIGKILL');
    await proc.exited;
  }
  const status = (await proc.exited) as ExitStatus;
  const result = {
    code: status.code,
    signal: status.signal,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
  };
  if (outcome === 'timeout') {
    throw new Error(
      `\`cairn ${args.join(' ')}\` did not finish within ${timeoutMs} ms\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  return result;
}

/** A long-running CLI command (`events tail --follow`) whose output lines a test waits for. */
export interface RunningCli {
  readonly process: TrackedProcess;
  /** Complete stdout lines so far. */
  lines(): string[];
  stderr(): string;
  waitForLine(
    predicate: (line: string) => boolean,
    options?: { timeoutMs?: number; describe?: string },
  ): Promise<string>;
  /** SIGTERM to its group, SIGKILL if it lingers; resolves with how it exited. */
  stop(): Promise<ExitStatus>;
}

const STOP_GRACE_MS = 5_000;

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const proc = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  proc.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  proc.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  proc.child.stdin!.on('error', () => undefined);
  proc.child.stdin!.end(options.stdin ?? '');
  const lines = () => {
    const all = stdout.split('\n');
    return all.slice(0, -1); // the last element is an unfinished line (or '')
  };
  return {
    process: proc,
    lines,
    stderr: () => stderr,
    waitForLine: (predicate, waitOptions = {}) =>
      waitFor(
        () => {
          const status = proc.exitStatus();
          const found = lines().find(predicate);
          if (found !== undefined) return found;
          if (status)
            throw new Error(`\`cairn ${args.join(' ')}\` exited (code ${status.code}) before the line appeared`);
          return undefined;
        },
        {
          timeoutMs: waitOptions.timeoutMs ?? CLI_TIMEOUT_MS,
          describe: waitOptions.describe ?? `a line from \`cairn ${args.join(' ')}\``,
          onTimeout: () => `stdout so far:\n${stdout}\nstderr so far:\n${stderr}`,
          abortOn: () => proc.exitStatus() !== undefined,
        },
      ),
    async stop() {
      const done = proc.exitStatus();
      if (done) return done;
      proc.signalGroup('SIGTERM');
      const status = await Promise.race([
        proc.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), STOP_GRACE_MS).unref()),
      ]);
      if (status) return status;
      proc.signalGroup('SIGKILL');
      return proc.exited;
    },
  };
}
