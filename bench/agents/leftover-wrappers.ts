import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { sep } from 'node:path';

/** `$0` of every task wrapper (apps/agent/src/executor/task-wrapper.ts `wrapperMarker`). */
const WRAPPER_MARKER = 'cairn-task:';

/**
 * Task wrappers still alive whose working directory (their sandbox) lies under one of `dirs`:
 * `pgrep -f cairn-task:` finds every wrapper on the machine, the cwd tells ours from other runs'.
 */
export function leftoverWrappers(dirs: readonly string[]): { pid: number; cwd: string }[] {
  let out: string;
  try {
    out = execFileSync('pgrep', ['-f', WRAPPER_MARKER], { encoding: 'utf8' });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return []; // pgrep: nothing matched
    throw error;
  }
  const found: { pid: number; cwd: string }[] = [];
  for (const pid of out.split('\n').filter(Boolean).map(Number)) {
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (dirs.some((dir) => cwd === dir || cwd.startsWith(dir + sep))) found.push({ pid, cwd });
  }
  return found;
}

/** SIGKILLs the process group of each (a wrapper leads its own group). */
export function killGroups(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
