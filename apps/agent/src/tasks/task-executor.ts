import type { KillOutcome, TaskExit, TaskSpec } from '../executor';

export type { KillOutcome, TaskExit, TaskSpec };

/** A task the executor found in the work dir at start (see ProcessExecutor.adopt). */
export interface AdoptedTaskView {
  taskId: string;
  /** running: watched from now on; exited/lost: the exit is also given to onExit listeners. */
  state: 'running' | 'exited' | 'lost';
  /**
   * From the task's checkpoint: `spec` as launch() was given it (with its checks, launch-spec.ts),
   * `launchedAt` in ms on the agent clock.
   */
  checkpoint?: { pid: number; spec?: TaskSpec; sandboxDir?: string; launchedAt?: number };
}

/**
 * What the agent needs from an executor. The `process` executor (executor/process-executor.ts)
 * runs real processes; a `simulated` one (no process, many agents in one process) can stand in
 * for it behind this interface.
 */
export interface TaskExecutor {
  /** Subscribes to task exits (launched and adopted tasks); returns the unsubscribe function. */
  onExit(listener: (exit: TaskExit) => void): () => void;
  /**
   * Starts the task; resolves once a restarted agent could adopt it. `sandboxDir`: where it runs,
   * when it has a directory of its own (a COMMAND check runs there).
   */
  launch(spec: TaskSpec): Promise<{ taskId: string; pid: number; sandboxDir?: string }>;
  /**
   * Stops a launch under way before its command started (the process executor's fetch): that
   * launch() then rejects. Optional: an executor whose launches cannot be stopped leaves it out.
   */
  stopLaunch?(taskId: string): void;
  /** Asks the task to stop (SIGTERM, then SIGKILL after the grace period); the exit comes through onExit. */
  kill(taskId: string, gracePeriodMs?: number): KillOutcome;
  /** Finds the tasks left by an earlier agent run. Exits found go to onExit listeners too. */
  adopt(): Promise<readonly AdoptedTaskView[]>;
  /** The task's exit reached the master: a later adopt() must not report it again. */
  acknowledgeExit(taskId: string): Promise<void>;
  /** Stops watching; tasks keep running for the next agent run. */
  close(): void;
}
