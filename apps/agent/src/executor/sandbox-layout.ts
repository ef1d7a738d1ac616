import { join } from 'node:path';

/**
 * Where everything lives (README.md draws it):
 *
 *   <workDir>/sandboxes/<taskId>/task.json        checkpoint: spec + wrapper identity (agent-written)
 *                               /stdout, /stderr  the task's output (wrapper-written)
 *                               /exit_status      the task's `$?`, written once, atomically (wrapper,
 *                                                 or the agent after it SIGKILLed the group)
 *                               /exit_acknowledged  the exit reached the master; adopt() skips it
 */
export const SANDBOXES_DIR = 'sandboxes';
export const CHECKPOINT_FILE = 'task.json';
export const STDOUT_FILE = 'stdout';
export const STDERR_FILE = 'stderr';
export const EXIT_STATUS_FILE = 'exit_status';
export const EXIT_ACKNOWLEDGED_FILE = 'exit_acknowledged';
/** Suffix of files written then renamed into place; never read as data. */
export const TEMP_SUFFIX = '.tmp';

export function sandboxesDir(workDir: string): string {
  return join(workDir, SANDBOXES_DIR);
}

export function sandboxDir(workDir: string, taskId: string): string {
  return join(workDir, SANDBOXES_DIR, taskId);
}
