import { mkdir, readdir, rm } from 'node:fs/promises';
import type { Clock } from '@cairn/common';
import {
  ExecutorClosedError,
  FetchFailedError,
  InvalidCommandError,
  InvalidTaskIdError,
  LaunchFailedError,
  PortInUseError,
  TaskAlreadyLaunchedError,
} from './executor-errors';
import { firstPortInUse } from './port-probe';
import { markExitAcknowledged, readExitStatus, writeExitStatus } from './exit-status-file';
import { groupExists, signalGroup } from './process-group';
import { currentBootId, isAlive, readProcStat } from './process-identity';
import { sandboxDir, sandboxesDir } from './sandbox-layout';
import { recoverSandbox } from './sandbox-recovery';
import { writeCheckpoint, CHECKPOINT_FORMAT_VERSION, type TaskCheckpoint } from './task-checkpoint';
import { inheritedEnvironment, taskEnvironment } from './task-environment';
import { exitFromStatus, statusForSignal, type TaskExit } from './task-exit';
import { ArtifactFetchError, DEFAULT_FETCH_LIMITS, fetchArtifacts, type FetchLimits } from './fetch';
import { isValidTaskId, type TaskSpec } from './task-spec';
import { findProcessesByArgument } from './process-scan';
import { wrapperMarker } from './task-wrapper';
import { ChildLauncherSpawner } from './wrapper-launcher';
import { InProcessSpawner, type SpawnedWrapper, type WrapperEnd, type WrapperSpawner } from './wrapper-spawn';

export const DEFAULT_SHELL_PATH = '/bin/sh';
/** Mesos's command executor default when a task names no grace period. */
export const DEFAULT_KILL_GRACE_PERIOD_MS = 3_000;
/** How often adopted tasks (not our children: no exit event) are checked. */
export const DEFAULT_ADOPTED_POLL_INTERVAL_MS = 500;

export interface ProcessExecutorOptions {
  /** The agent's work dir; sandboxes live in `<workDir>/sandboxes/<taskId>`. */
  workDir: string;
  /** Timers (kill escalation, polling) and timestamps. */
  clock: Clock;
  /** What tasks inherit under Marathon's variables; default: this process's environment minus CAIRN_*. */
  inheritedEnv?: Record<string, string>;
  shellPath?: string;
  defaultKillGracePeriodMs?: number;
  adoptedPollIntervalMs?: number;
  /**
   * Who spawns the wrappers: `child` (default) = a small launcher child process, whose fork is
   * cheap whatever the agent's size, and which reports exits as the wrappers' parent;
   * `in-process` = the agent itself (fork copies the agent's page tables).
   */
  launcher?: 'child' | 'in-process';
  /** Bounds of a task's fetch (fetch/artifact.ts); default 120 s per task, 1 GiB per artifact. */
  fetchLimits?: Partial<FetchLimits>;
}

export interface LaunchedTask {
  taskId: string;
  /** The wrapper's pid; it leads the task's session and process group, so pid = pgid. */
  pid: number;
  pgid: number;
  startTime: number;
  sandboxDir: string;
}

export type AdoptedTask =
  | { taskId: string; sandboxDir: string; state: 'running'; checkpoint: TaskCheckpoint }
  | { taskId: string; sandboxDir: string; state: 'exited' | 'lost'; checkpoint?: TaskCheckpoint; exit: TaskExit };

/** What kill() did: sent SIGTERM, found a kill already under way, or found no live task. */
export type KillOutcome = 'signalled' | 'already-killing' | 'not-running';

export type TaskExitListener = (exit: TaskExit) => void;

interface WatchedTask extends LaunchedTask {
  gracePeriodMs?: number;
  /** Set while the task's end arrives as an event (spawned by us, launcher alive), not by polling. */
  wrapper?: SpawnedWrapper;
  /** The strongest signal this executor sent the group. */
  killSignal?: 'SIGTERM' | 'SIGKILL';
  cancelEscalation?: () => void;
  settling: boolean;
}

/**
 * The `process` executor: one detached POSIX-sh wrapper per task (task-wrapper.ts), a sandbox with
 * a checkpoint, kill = SIGTERM to the group then SIGKILL after the grace period, exits reported to
 * onExit listeners whether the task is our child or was adopted after an agent restart.
 * Runs inside the agent, a small process: spawn() costs a fork of the caller (perf.md).
 */
export class ProcessExecutor {
  private readonly tasks = new Map<string, WatchedTask>();
  private readonly listeners = new Set<TaskExitListener>();
  private readonly inheritedEnv: Record<string, string>;
  private readonly shellPath: string;
  private readonly defaultKillGracePeriodMs: number;
  private readonly adoptedPollIntervalMs: number;
  private sandboxesReady?: Promise<unknown>;
  private cancelPoll?: () => void;
  private closed = false;
  private readonly spawner: WrapperSpawner;
  private readonly fetchLimits: FetchLimits;
  /** Tasks whose artifacts are being fetched: a kill stops the fetch (the command never starts). */
  private readonly fetching = new Map<string, AbortController>();

  constructor(private readonly options: ProcessExecutorOptions) {
    this.inheritedEnv = options.inheritedEnv ?? inheritedEnvironment(process.env);
    this.shellPath = options.shellPath ?? DEFAULT_SHELL_PATH;
    this.defaultKillGracePeriodMs = options.defaultKillGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS;
    this.adoptedPollIntervalMs = options.adoptedPollIntervalMs ?? DEFAULT_ADOPTED_POLL_INTERVAL_MS;
    this.spawner = options.launcher === 'in-process' ? new InProcessSpawner() : new ChildLauncherSpawner();
    this.fetchLimits = { ...DEFAULT_FETCH_LIMITS, ...options.fetchLimits };
    void this.spawner.ready(); // start the launcher now, not on the first launch
  }

  /**
   * Resolves once launches no longer wait for the launcher child to start (started with the
   * executor; calling this is optional: launch() waits as needed).
   */
  ready(): Promise<void> {
    return this.spawner.ready();
  }

  /** Subscribes to task exits (launched and adopted tasks); returns the unsubscribe function. */
  onExit(listener: TaskExitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts the task: sandbox, detached wrapper, checkpoint. Resolves once `task.json` names the
   * wrapper, so an agent that dies after this can adopt the task.
   */
  async launch(spec: TaskSpec): Promise<LaunchedTask> {
    if (this.closed) throw new ExecutorClosedError({ taskId: spec.taskId });
    assertLaunchable(spec);
    const dir = sandboxDir(this.options.workDir, spec.taskId);
    this.sandboxesReady ??= mkdir(sandboxesDir(this.options.workDir), { recursive: true }).catch((error: unknown) => {
      this.sandboxesReady = undefined; // try again on the next launch
      throw error;
    });
    await this.sandboxesReady;
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new TaskAlreadyLaunchedError({ taskId: spec.taskId, sandboxDir: dir });
      }
      throw error;
    }
    // After the sandbox exists: a launch sent again for a running task stops at EEXIST above, and
    // never finds the port its own task holds.
    const busyPort = await firstPortInUse(spec.ports);
    if (busyPort !== undefined) {
      await rm(dir, { recursive: true, force: true });
      throw new PortInUseError({ taskId: spec.taskId, port: busyPort });
    }
    if (spec.fetch?.length) await this.fetchInto(spec, dir);
    let wrapper: SpawnedWrapper;
    try {
      wrapper = await this.spawner.spawn(spec, {
        sandboxDir: dir,
        shellPath: this.shellPath,
        env: taskEnvironment(this.inheritedEnv, spec, dir),
      });
    } catch (cause) {
      // A launcher that died between spawn and answer may have left the wrapper running.
      if (this.options.launcher !== 'in-process') killByMarker(spec.taskId);
      await rm(dir, { recursive: true, force: true });
      throw new LaunchFailedError({ taskId: spec.taskId, sandboxDir: dir, cause: String(cause) });
    }
    const task: WatchedTask = {
      taskId: spec.taskId,
      pid: wrapper.pid,
      pgid: wrapper.pid,
      startTime: wrapper.startTime,
      sandboxDir: dir,
      gracePeriodMs: gracePeriodMsOf(spec),
      wrapper,
      settling: false,
    };
    this.tasks.set(spec.taskId, task);
    wrapper.onEnd((end) => this.onWrapperEnd(task, end));
    try {
      await writeCheckpoint({
        formatVersion: CHECKPOINT_FORMAT_VERSION,
        spec,
        pid: task.pid,
        pgid: task.pgid,
        startTime: task.startTime,
        bootId: currentBootId(),
        sandboxDir: dir,
        launchedAt: this.options.clock.now(),
      });
    } catch (error) {
      // A task nobody could adopt must not run: the launch fails as a whole.
      this.tasks.delete(spec.taskId);
      wrapper.forget();
      signalGroup(task, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new LaunchFailedError({ taskId: spec.taskId, sandboxDir: dir, cause: `no checkpoint: ${String(error)}` });
    }
    return { taskId: task.taskId, pid: task.pid, pgid: task.pgid, startTime: task.startTime, sandboxDir: dir };
  }

  /**
   * SIGTERM to the task's process group, then SIGKILL after the grace period (argument, else the
   * task's `killGracePeriodSeconds`, else the default) if any of the group is left. The exit
   * arrives through onExit.
   */
  kill(taskId: string, gracePeriodMs?: number): KillOutcome {
    const task = this.tasks.get(taskId);
    if (!task || task.settling) return 'not-running';
    if (task.killSignal) return 'already-killing';
    if (!isAlive(task.pid, task.startTime)) return 'not-running'; // its exit is being noticed
    task.killSignal = 'SIGTERM';
    signalGroup(task, 'SIGTERM');
    const graceMs = gracePeriodMs ?? task.gracePeriodMs ?? this.defaultKillGracePeriodMs;
    task.cancelEscalation = this.options.clock.setTimer(graceMs, () => this.escalate(task));
    return 'signalled';
  }

  /**
   * Stops a launch whose artifacts are being fetched (a kill before the command started): the
   * launch fails with FetchFailedError (`aborted`). Does nothing for any other task.
   */
  stopLaunch(taskId: string): void {
    this.fetching.get(taskId)?.abort(new Error('the task was killed while its artifacts were being fetched'));
  }

  /**
   * Re-adopts the tasks whose sandboxes are in the work dir (after an agent restart): a recorded
   * exit is reported; a live wrapper (same pid, start time and boot) is watched; anything else is
   * lost. Exits found here go to onExit listeners too (attach them first), and are returned.
   */
  async adopt(): Promise<AdoptedTask[]> {
    let names: string[];
    try {
      names = await readdir(sandboxesDir(this.options.workDir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const adopted: AdoptedTask[] = [];
    for (const taskId of names.sort()) {
      if (this.tasks.has(taskId)) continue;
      const dir = sandboxDir(this.options.workDir, taskId);
      const finding = await recoverSandbox(taskId, dir);
      if (!finding) continue;
      if (finding.state === 'running') {
        this.watch(finding.checkpoint);
        adopted.push({ taskId, sandboxDir: dir, state: 'running', checkpoint: finding.checkpoint });
      } else {
        const exit = finding.state === 'exited' ? finding.exit : this.lost(taskId, finding.reason);
        adopted.push({ taskId, sandboxDir: dir, state: finding.state, checkpoint: finding.checkpoint, exit });
      }
    }
    for (const found of adopted) if (found.state !== 'running') this.emit(found.exit);
    this.schedulePoll();
    return adopted;
  }

  /** The exit reached the master: a later adopt() does not report it again. */
  async acknowledgeExit(taskId: string): Promise<void> {
    if (!isValidTaskId(taskId)) throw new InvalidTaskIdError({ taskId });
    await markExitAcknowledged(sandboxDir(this.options.workDir, taskId));
  }

  /** Tasks this executor watches (launched or adopted) that have not been reported as ended. */
  runningTasks(): LaunchedTask[] {
    return [...this.tasks.values()]
      .filter((task) => !task.settling)
      .map(({ taskId, pid, pgid, startTime, sandboxDir: dir }) => ({ taskId, pid, pgid, startTime, sandboxDir: dir }));
  }

  isAlive(pid: number, startTime: number): boolean {
    return isAlive(pid, startTime);
  }

  /**
   * Stops watching: no more reports, no pending escalations. Tasks keep running (as when the
   * agent stops); a later executor adopts them.
   */
  close(): void {
    this.closed = true;
    this.cancelPoll?.();
    for (const fetching of this.fetching.values()) fetching.abort(new Error('the agent is stopping'));
    for (const task of this.tasks.values()) {
      task.cancelEscalation?.();
      task.wrapper?.forget();
    }
    this.tasks.clear();
    this.spawner.close();
  }

  /**
   * Fetches the task's artifacts into its fresh sandbox, bounded by the fetch timeout (on the
   * executor's clock) and a kill. On failure the sandbox goes (as after a failed spawn: nothing
   * ran, nothing to adopt) and the launch fails with FetchFailedError.
   */
  private async fetchInto(spec: TaskSpec, dir: string): Promise<void> {
    const controller = new AbortController();
    this.fetching.set(spec.taskId, controller);
    const { timeoutMs, maxBytes } = this.fetchLimits;
    const cancelTimer = this.options.clock.setTimer(timeoutMs, () =>
      controller.abort(new Error(`the fetch took longer than the agent's limit of ${timeoutMs / 1000} s`)),
    );
    try {
      await fetchArtifacts(spec.fetch ?? [], dir, maxBytes, controller.signal);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      const { uri, reason } =
        error instanceof ArtifactFetchError ? error : { uri: spec.fetch?.[0]?.uri ?? '', reason: String(error) };
      throw new FetchFailedError({ taskId: spec.taskId, uri, cause: reason, aborted: controller.signal.aborted });
    } finally {
      cancelTimer();
      this.fetching.delete(spec.taskId);
    }
    if (this.closed) {
      await rm(dir, { recursive: true, force: true });
      throw new ExecutorClosedError({ taskId: spec.taskId });
    }
  }

  /** Watches an adopted task: not our child, so its end is noticed by polling. */
  private watch(checkpoint: TaskCheckpoint): void {
    this.tasks.set(checkpoint.spec.taskId, {
      taskId: checkpoint.spec.taskId,
      pid: checkpoint.pid,
      pgid: checkpoint.pgid,
      startTime: checkpoint.startTime,
      sandboxDir: checkpoint.sandboxDir,
      gracePeriodMs: gracePeriodMsOf(checkpoint.spec),
      settling: false,
    });
  }

  private onWrapperEnd(task: WatchedTask, end: WrapperEnd): void {
    task.wrapper = undefined;
    if (end === 'exited') {
      void this.settle(task);
    } else {
      this.schedulePoll(); // the launcher died: watched like an adopted task from now on
    }
  }

  /** The wrapper is gone: report how the task ended, once. */
  private async settle(task: WatchedTask): Promise<void> {
    if (task.settling) return;
    task.settling = true;
    task.cancelEscalation?.();
    const recorded = await readExitStatus(task.sandboxDir).catch(() => undefined);
    let exit: TaskExit;
    if (recorded) {
      exit = exitFromStatus(task.taskId, recorded.exitCode, recorded.recordedAt);
    } else {
      // No status: our SIGKILL took the wrapper with the task (or a TERM beat the wrapper's trap),
      // or something outside killed the wrapper. Clear what is left of the group either way.
      signalGroup(task, 'SIGKILL');
      if (task.killSignal) {
        const exitCode = statusForSignal(task.killSignal);
        await writeExitStatus(task.sandboxDir, exitCode).catch(() => undefined); // for a later adopt()
        exit = exitFromStatus(task.taskId, exitCode, this.options.clock.now());
      } else {
        exit = this.lost(task.taskId, 'the wrapper died without recording an exit status');
      }
    }
    if (this.tasks.get(task.taskId) !== task) return; // closed meanwhile
    this.tasks.delete(task.taskId);
    this.emit(exit);
  }

  private escalate(task: WatchedTask): void {
    task.cancelEscalation = undefined;
    if (task.settling || !groupExists(task)) return;
    task.killSignal = 'SIGKILL';
    signalGroup(task, 'SIGKILL');
  }

  private schedulePoll(): void {
    if (this.closed || this.cancelPoll) return;
    const adopted = [...this.tasks.values()].some((task) => !task.wrapper && !task.settling);
    if (!adopted) return;
    this.cancelPoll = this.options.clock.setTimer(this.adoptedPollIntervalMs, () => {
      this.cancelPoll = undefined;
      for (const task of this.tasks.values()) {
        if (!task.wrapper && !task.settling && !isAlive(task.pid, task.startTime)) void this.settle(task);
      }
      this.schedulePoll();
    });
  }

  private lost(taskId: string, reason: string): TaskExit {
    return { taskId, kind: 'lost', reason, finishedAt: this.options.clock.now() };
  }

  private emit(exit: TaskExit): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) listener(exit);
  }
}

function assertLaunchable(spec: TaskSpec): void {
  if (!isValidTaskId(spec.taskId)) throw new InvalidTaskIdError({ taskId: spec.taskId });
  if (spec.command.shell ? spec.command.value.length === 0 : spec.command.args.length === 0) {
    throw new InvalidCommandError({ taskId: spec.taskId, reason: 'empty command: give a non-empty cmd or args' });
  }
}

/** SIGKILLs the group of any wrapper carrying the task's `$0` marker (scans /proc: failure paths only). */
function killByMarker(taskId: string): void {
  for (const pid of findProcessesByArgument(wrapperMarker(taskId))) {
    const startTime = readProcStat(pid)?.startTime;
    if (startTime !== undefined) signalGroup({ pid, startTime }, 'SIGKILL');
  }
}

function gracePeriodMsOf(spec: TaskSpec): number | undefined {
  return spec.killGracePeriodSeconds === undefined ? undefined : spec.killGracePeriodSeconds * 1000;
}
