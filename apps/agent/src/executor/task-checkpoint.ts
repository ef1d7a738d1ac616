import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_FILE, TEMP_SUFFIX } from './sandbox-layout';
import type { TaskSpec } from './task-spec';

export const CHECKPOINT_FORMAT_VERSION = 1;

/** `task.json`: enough to find, identify and report the task after an agent restart. */
export interface TaskCheckpoint {
  formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  spec: TaskSpec;
  /** The wrapper: session leader, so pid = pgid = sid. */
  pid: number;
  pgid: number;
  /** /proc/<pid>/stat field 22 of the wrapper. */
  startTime: number;
  bootId: string;
  sandboxDir: string;
  /** Agent clock, ms since the epoch. */
  launchedAt: number;
}

/**
 * Written to a temporary name then renamed, so a reader sees the whole checkpoint or none. Not
 * fsynced on purpose: the page cache outlives an agent crash, and a machine crash also ends the
 * processes the checkpoint names (the boot id tells adopt() so).
 */
export async function writeCheckpoint(checkpoint: TaskCheckpoint): Promise<void> {
  const target = join(checkpoint.sandboxDir, CHECKPOINT_FILE);
  await writeFile(target + TEMP_SUFFIX, JSON.stringify(checkpoint));
  await rename(target + TEMP_SUFFIX, target);
}

/** The checkpoint, or undefined when there is none; throws when it exists but cannot be used. */
export async function readCheckpoint(sandboxDir: string): Promise<TaskCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(join(sandboxDir, CHECKPOINT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<TaskCheckpoint>;
  if (parsed.formatVersion !== CHECKPOINT_FORMAT_VERSION || typeof parsed.pid !== 'number' || !parsed.spec) {
    throw new Error(`unsupported checkpoint in ${sandboxDir} (format ${String(parsed.formatVersion)})`);
  }
  return parsed as TaskCheckpoint;
}
