import { spawn } from 'node:child_process';
import type { ArchiveKind } from './archive-kind';

/** How much of a failing tool's stderr a task's message keeps. */
const STDERR_KEPT_CHARS = 500;

/**
 * Unpacks `archive` into `dir` with the system's `tar` (any compression GNU/BSD tar detects) or
 * `unzip`, as a child process: the agent's event loop is not blocked, and `signal` kills it. Both
 * tools refuse members that would land outside `dir` (absolute or `..` paths). A tool that is not
 * installed is a clear failure, not a crash.
 */
export function extract(kind: ArchiveKind, archive: string, dir: string, signal: AbortSignal): Promise<void> {
  const [command, args] =
    kind === 'tar' ? ['tar', ['-xf', archive, '-C', dir]] : ['unzip', ['-q', '-o', archive, '-d', dir]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_KEPT_CHARS) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new Error(`cannot extract: '${command}' is not installed on this agent`));
      else reject(error);
    });
    child.on('close', (code, signalName) => {
      if (code === 0) return resolve();
      const how = code === null ? `killed by ${signalName}` : `exited with status ${code}`;
      const detail = stderr.trim().slice(0, STDERR_KEPT_CHARS);
      reject(new Error(`extracting with ${command} failed (${how})${detail ? `: ${detail}` : ''}`));
    });
  });
}
