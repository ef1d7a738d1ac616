import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLEANUP_ORDER, onFileEnd, pidsDir } from './test-run';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What test/run-tests.js reads to sweep leftovers; startTime guards against a recycled pid. */
export interface PidRecord {
  readonly pid: number;
  readonly pgid: number;
  /** /proc/<pid>/stat field 22: clock ticks since boot when the process started. */
  readonly startTime: number;
  readonly cmd: string;
}

export interface TrackedProcess {
  readonly pid: number;
  readonly pgid: number;
  readonly child: ChildProcess;
  readonly cmd: string;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  exitStatus(): ExitStatus | undefined;
  /** Sends `signal` to the whole process group; false when the group is already gone. */
  signalGroup(signal: NodeJS.Signals): boolean;
}

const SWEEP_EXIT_TIMEOUT_MS = 10_000;
const live = new Set<TrackedProcess>();

/**
 * Spawns a process that leads its own process group (detached), records it in the run's pid
 * directory until it exits, and remembers it so `sweepAll` can kill it. Every process a test
 * starts goes through here.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): TrackedProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const cmd = [command, ...args].join(' ');
  if (child.pid === undefined) {
    // spawn failed (ENOENT...): the 'error' event carries the reason; surface it synchronously.
    throw new Error(`could not spawn \`${cmd}\``);
  }
  const pid = child.pid;
  const { pgid, startTime } = readProcStat(pid);
  const pidFile = join(pidsDir(), `${pid}.json`);
  const record: PidRecord = { pid, pgid, startTime, cmd };
  writeFileSync(pidFile, JSON.stringify(record));

  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (status) return;
      status = { code, signal };
      rmSync(pidFile, { force: true });
      live.delete(tracked);
      resolve(status);
    };
    child.once('exit', done);
    child.once('error', () => done(null, null));
  });

  const tracked: TrackedProcess = {
    pid,
    pgid,
    child,
    cmd,
    exited,
    exitStatus: () => status,
    signalGroup(signal) {
      try {
        process.kill(-pgid, signal);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
        throw err;
      }
    },
  };
  live.add(tracked);
  return tracked;
}

/** Parses /proc/<pid>/stat; `comm` (field 2) may hold spaces and parentheses, so split after the last ')'. */
export function readProcStat(pid: number): { pgid: number; startTime: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return { pgid: Number(fields[5 - 3]), startTime: Number(fields[22 - 3]) };
}

/** Kills (SIGKILL, whole group) every process this test file started that is still alive. */
export async function sweepAll(): Promise<void> {
  const victims = [...live];
  for (const proc of victims) proc.signalGroup('SIGKILL');
  await Promise.all(
    victims.map((proc) =>
      Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, SWEEP_EXIT_TIMEOUT_MS).unref())]),
    ),
  );
}

/** Processes of this file still alive (for tests of the harness and for diagnostics). */
export function liveProcesses(): readonly TrackedProcess[] {
  return [...live];
}

onFileEnd(CLEANUP_ORDER.processes, sweepAll);
