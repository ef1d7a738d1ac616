import { spawn, type ChildProcess } from 'node:child_process';
import { readProcStat } from './process-identity';
import type { TaskSpec } from './task-spec';
import { wrapperArguments } from './task-wrapper';

export interface SpawnedWrapper {
  child: ChildProcess;
  /** pid = pgid = sid: the wrapper leads its own session. */
  pid: number;
  startTime: number;
}

/**
 * Spawns a task's wrapper detached from the agent and reads its start time. Rejects with the cause
 * as a string when no process was created.
 */
export async function spawnWrapper(
  spec: TaskSpec,
  options: { sandboxDir: string; shellPath: string; env: Record<string, string> },
): Promise<SpawnedWrapper> {
  const child = spawn(options.shellPath, wrapperArguments(spec, options.shellPath), {
    cwd: options.sandboxDir,
    env: options.env,
    detached: true, // setsid(): its own session and group, out of reach of the agent's signals
    stdio: 'ignore', // no pipes: the wrapper must not depend on the agent staying alive
  });
  if (child.pid === undefined) {
    // Run-time spawn failures (ENOENT, EAGAIN, ...) are emitted, not thrown.
    throw await new Promise<string>((resolve) => child.once('error', (error) => resolve(String(error))));
  }
  child.on('error', () => undefined); // a later error on the handle is not the task's end
  // Still in spawn()'s synchronous run: the event loop has not reaped the wrapper, so even one that
  // already exited is a zombie whose /proc entry (and start time) can be read.
  const stat = readProcStat(child.pid);
  if (!stat) throw `wrapper ${child.pid} vanished before its start time could be read`;
  return { child, pid: child.pid, startTime: stat.startTime };
}
