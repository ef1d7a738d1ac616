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
      let exit: { code: number | null; signalName: NodeJS.Signals | null } | undefined;
      let settled = false;
      const finish = (outcome: ProbeOutcome) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve(outcome);
      };
      const finishExited = () => {
        if (!exit) return;
        if (exit.code === 0) return finish({ kind: 'success' });
        const how = exit.code === null ? `killed by ${exit.signalName}` : `exited with status ${exit.code}`;
        const output = (stderr.text() || stdout.text()).trim();
        finish({
          kind: 'failure',
          cause: output === '' ? how : `${how}: ${lastChars(output, COMMAND_CAUSE_MAX_CHARS)}`,
        });
      };
      const onAbort = () => {
        // Before 'exit' the shell is not reaped, so its pid (= the group id) cannot have been reused.
        if (!exit && child.pid !== undefined) return killGroup(child.pid);
        // Exited, but something outside its group holds the pipes open: do not wait for them.
        finishExited();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => {
        // The command never ran ('exit' may not come): nothing to wait for.
        if (!exit) finish({ kind: 'failure', cause: `could not run the command: ${errorCause(error)}` });
      });
      child.once('exit', (code, signalName) => {
        exit = { code, signalName };
        // What the check left running in its group goes with it (and with it the pipes' other
        // ends). The group outlives its reaped leader only while a member lives, so its id is still
        // this group's (a reuse would need the pid space to wrap within this tick).
        if (child.pid !== undefined) killGroup(child.pid);
      });
      // The output is complete once the pipes close, which comes after 'exit'.
      child.once('close', finishExited);
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
