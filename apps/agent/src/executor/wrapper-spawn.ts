import { spawn } from 'node:child_process';
import { readProcStat } from './process-identity';
import type { TaskSpec } from './task-spec';
import { wrapperArguments } from './task-wrapper';

/**
 * How a wrapper's watch ended: `exited` = it ended (and was reaped by its parent); `unwatched` =
 * its end can no longer arrive as an event (the launcher that is its parent died), so the
 * executor must poll it like an adopted task.
 */
export type WrapperEnd = 'exited' | 'unwatched';

export interface SpawnedWrapper {
  /** pid = pgid = sid: the wrapper leads its own session. */
  pid: number;
  startTime: number;
  /** Registers the one listener for the wrapper's end; called at most once. */
  onEnd(listener: (end: WrapperEnd) => void): void;
  /** Stops reporting (the executor closed or gave the task up). */
  forget(): void;
}

export interface WrapperSpawnOptions {
  sandboxDir: string;
  shellPath: string;
  env: Record<string, string>;
}

/** Spawns task wrappers: in the agent itself (InProcessSpawner) or through a launcher child. */
export interface WrapperSpawner {
  /** Rejects with the cause as a string when no process was created. */
  spawn(spec: TaskSpec, options: WrapperSpawnOptions): Promise<SpawnedWrapper>;
  /** Resolves once spawn() can start a wrapper without waiting for the spawner to start. */
  ready(): Promise<void>;
  /** Stops watching; wrappers keep running. */
  close(): void;
}

/**
 * Spawns wrappers from this process (the agent becomes their parent). Costs a fork of this
 * process, so of its memory: the child launcher is the default (wrapper-launcher.ts).
 */
export class InProcessSpawner implements WrapperSpawner {
  async spawn(spec: TaskSpec, options: WrapperSpawnOptions): Promise<SpawnedWrapper> {
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
    child.unref();
    return {
      pid: child.pid,
      startTime: stat.startTime,
      onEnd: (listener) => child.once('exit', () => listener('exited')),
      forget: () => child.removeAllListeners('exit'),
    };
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    // Nothing to stop: each wrapper's handle is unref'd and forgotten by the executor.
  }
}
