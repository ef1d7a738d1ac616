import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT_ACKNOWLEDGED_FILE, EXIT_STATUS_FILE, TEMP_SUFFIX } from './sandbox-layout';

/** A status as recorded in `exit_status`: sh's `$?` and when the file was written. */
export interface RecordedStatus {
  exitCode: number;
  /** The file's mtime: when the wrapper (or the agent) recorded the exit, in ms since the epoch. */
  recordedAt: number;
}

const STATUS_PATTERN = /^(\d{1,3})\n?$/;

/** Parses `exit_status` contents: one decimal `$?` (0..255), optional newline. */
export function parseExitStatus(text: string): number | undefined {
  const match = STATUS_PATTERN.exec(text);
  if (!match) return undefined;
  const code = Number(match[1]);
  return code <= 255 ? code : undefined;
}

/** The recorded status, or undefined when none was recorded (or it is unreadable). */
export async function readExitStatus(sandboxDir: string): Promise<RecordedStatus | undefined> {
  const file = join(sandboxDir, EXIT_STATUS_FILE);
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const exitCode = parseExitStatus(text);
    return exitCode === undefined ? undefined : { exitCode, recordedAt: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Records a status the way the wrapper does (temporary name, then rename). */
export async function writeExitStatus(sandboxDir: string, exitCode: number): Promise<void> {
  const file = join(sandboxDir, EXIT_STATUS_FILE);
  await writeFile(file + TEMP_SUFFIX, `${exitCode}\n`);
  await rename(file + TEMP_SUFFIX, file);
}

/** Marks the exit as delivered to the master, so the next adopt() does not report it again. */
export async function markExitAcknowledged(sandboxDir: string): Promise<void> {
  await writeFile(join(sandboxDir, EXIT_ACKNOWLEDGED_FILE), '');
}

export async function isExitAcknowledged(sandboxDir: string): Promise<boolean> {
  try {
    await stat(join(sandboxDir, EXIT_ACKNOWLEDGED_FILE));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
