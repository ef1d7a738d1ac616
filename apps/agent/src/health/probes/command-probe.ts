import { spawn } from 'node:child_process';
import { errorCause, type Probe, type ProbeOutcome } from '../probe';

export const DEFAULT_CHECK_SHELL = '/bin/sh';
/** How much of the command's output (stderr, else stdout) a failure's cause quotes. */
export const COMMAND_CAUSE_MAX_CHARS = 200;
/** Output kept per stream while the command runs (its tail). */
const OUTPUT_TAIL_BYTES = 1024;

export interface CommandTarget {
  command: string;
  env: Record<string, string>;
  /** The task's sandbox; undefined = the agent's working directory. */
  cwd?: string;
  shellPath?: string;
}

/**
 * `/bin/sh -c <command>` in its own process group (so that a timeout kills all it started), with
 * the task's environment and the sandbox as working directory. Exit 0 passes. When the signal
 * aborts before the command exits, its whole group gets SIGKILL and the probe resolves once the
 * shell has exited; what the command left running in its group is killed when it exits.
 */
export function commandProbe(target: CommandTarget): Probe<ProbeOutcome> {
  return (signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve({ kind: 'failure', cause: 'aborted' });
      const child = spawn(target.shellPath ?? DEFAULT_CHECK_SHELL, ['-c', target.command], {
        cwd: target.cwd,
        env: target.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stdout = new Tail();
      const stderr = new Tail();
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      let exited = false;
      let settled = false;
      const finish = (outcome: ProbeOutcome) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        // A background child of the check may hold the pipes open: do not wait for them.
        child.stdout.destroy();
        child.stderr.destroy();
        resolve(outcome);
      };
      const onAbort = () => {
        // Before 'exit' the shell is not reaped, so its pid (= the group id) cannot have been reused.
        if (!exited && child.pid !== undefined) killGroup(child.pid);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => {
        exited = true;
        finish({ kind: 'failure', cause: `could not run the command: ${errorCause(error)}` });
      });
      child.once('exit', (code, signalName) => {
        exited = true;
        // What the check left running in its group goes with it. The group outlives its reaped
        // leader only while a member lives, so its id is still this group's (a reuse would need
        // the pid space to wrap within this tick).
        if (child.pid !== undefined) killGroup(child.pid);
        if (code === 0) return finish({ kind: 'success' });
        const how = signal.aborted
          ? 'aborted'
          : code === null
            ? `killed by ${signalName}`
            : `exited with status ${code}`;
        const output = (stderr.text() || stdout.text()).trim();
        finish({
          kind: 'failure',
          cause: output === '' ? how : `${how}: ${lastChars(output, COMMAND_CAUSE_MAX_CHARS)}`,
        });
      });
    });
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function lastChars(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max)}`;
}

/** The last OUTPUT_TAIL_BYTES of a stream. */
class Tail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes - this.chunks[0].length >= OUTPUT_TAIL_BYTES) this.bytes -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - OUTPUT_TAIL_BYTES)).toString('utf8');
  }
}
