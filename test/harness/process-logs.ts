import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

export const LOG_TAIL_LINES = 40;

/** A child's stdout and stderr, written straight to files (no pipe for the child to block on). */
export interface ProcessLogFiles {
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/** Opens the two files for the child; the parent closes its copies once the child has them. */
export function openLogFiles(files: ProcessLogFiles): { fds: [number, number]; close(): void } {
  const fds: [number, number] = [openSync(files.stdoutPath, 'a'), openSync(files.stderrPath, 'a')];
  return { fds, close: () => fds.forEach((fd) => closeSync(fd)) };
}

export function readLog(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

export function tailLines(text: string, lines = LOG_TAIL_LINES): string {
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

/** The tails of both files, labelled, for a failure message. */
export function describeLogs(label: string, files: ProcessLogFiles, lines = LOG_TAIL_LINES): string {
  return [
    `--- ${label} stdout (${files.stdoutPath}, last ${lines} lines) ---`,
    tailLines(readLog(files.stdoutPath), lines),
    `--- ${label} stderr (${files.stderrPath}, last ${lines} lines) ---`,
    tailLines(readLog(files.stderrPath), lines),
  ].join('\n');
}
