import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessExecutor } from './process-executor';
import { readProcStat } from './process-identity';
import type { TaskExit } from './task-exit';
import type { TaskSpec } from './task-spec';

/** Test helpers for the executor's integration specs (not a spec itself). */

/** A run-unique prefix for task ids, so `pgrep -f` finds exactly this run's wrappers. */
export function runPrefix(): string {
  return `exectest-${randomBytes(4).toString('hex')}`;
}

export function aTaskSpec(taskId: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    taskId,
    appId: '/test/app',
    appVersion: '2026-01-01T00:00:00.000Z',
    command: { shell: true, value: 'sleep 30' },
    env: {},
    ports: [31000, 31001],
    portNames: ['http', undefined],
    host: 'agent-test.local',
    ...overrides,
  };
}

export function tempWorkDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-executor-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * pids of live processes in a process group (`pgrep -g`). Zombies are left out: they are dead,
 * waiting for init to reap them (this machine's init reaps about once a second).
 */
export function groupMembers(pgid: number): number[] {
  return pgrepPids(['-g', String(pgid)]).filter(isLiveProcess);
}

/** pids of live processes whose command line matches `pattern` (`pgrep -f`), zombies left out. */
export function processesMatching(pattern: string): number[] {
  return pgrepPids(['-f', pattern]).filter(isLiveProcess);
}

function isLiveProcess(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/**
 * Waits until the group has a live process running `command` (its /proc comm). Not just "a second
 * process": a signal that reaches the wrapper's forked child before it has exec'd the task is
 * swallowed by the shell's handler in the child, so tests that signal a task wait for the exec.
 */
export function waitForTaskProcess(pgid: number, command: string): Promise<true> {
  return waitFor(`${command} in group ${pgid}`, () =>
    groupMembers(pgid).some((pid) => processCommand(pid) === command) ? true : undefined,
  );
}

function processCommand(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A sandbox file's contents, or undefined while it does not exist yet. */
export function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function pgrepPids(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return []; // pgrep: nothing matched
    throw error;
  }
}

/**
 * Every process group a test creates is registered here; sweep() SIGKILLs them all, then waits
 * (briefly) until the OS shows none of them and no process matching the run's prefix.
 */
export class GroupSweeper {
  private readonly groups = new Set<number>();

  constructor(private readonly prefix: string) {}

  track(pgid: number): number {
    this.groups.add(pgid);
    return pgid;
  }

  async sweep(): Promise<{ leftGroups: number[]; leftMatching: number[] }> {
    for (const pgid of this.groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    let left = { leftGroups: [] as number[], leftMatching: [] as number[] };
    for (let attempt = 0; attempt < 50; attempt++) {
      left = {
        leftGroups: [...this.groups].filter((pgid) => groupMembers(pgid).length > 0),
        leftMatching: processesMatching(this.prefix),
      };
      if (left.leftGroups.length === 0 && left.leftMatching.length === 0) break;
      await sleep(20);
    }
    return left;
  }
}

/** Collects exits from an executor; `next(taskId)` resolves with that task's exit. */
export class ExitRecorder {
  readonly exits: TaskExit[] = [];
  private readonly waiters = new Map<string, (exit: TaskExit) => void>();

  constructor(executor: Pick<ProcessExecutor, 'onExit'>) {
    executor.onExit((exit) => {
      this.exits.push(exit);
      this.waiters.get(exit.taskId)?.(exit);
    });
  }

  next(taskId: string, timeoutMs = 10_000): Promise<TaskExit> {
    const seen = this.exits.find((exit) => exit.taskId === taskId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no exit for ${taskId} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(taskId, (exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
