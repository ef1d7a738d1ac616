import type { Clock } from '@cairn/common';
import type { Logger } from 'pino';
import {
  FetchFailedError,
  InvalidCommandError,
  InvalidTaskIdError,
  PortInUseError,
  TaskAlreadyLaunchedError,
} from '../executor';
import { hasChecks, NO_CHECKS, type CheckedTask, type CheckReport, type TaskChecks } from '../health/task-checks';
import { parseCommandLine, type LaunchTask, type RegisteredTask, type StatusUpdate } from '../protocol/agent-protocol';
import { isTerminalState, type TaskState } from '../protocol/task-state';
import type { SettledOutcome, StatusUpdateBody, StatusUpdateQueue } from '../status/status-update-queue';
import { checksOfSpec } from './checks-of-spec';
import { Reason, statusForExit } from './exit-status';
import { taskSpecOf } from './launch-spec';
import type { AdoptedTaskView, TaskExecutor, TaskExit } from './task-executor';

/** What the agent knows of one task, from launch (or adoption) until its end reached the master. */
interface TaskEntry {
  taskId: string;
  phase: 'launching' | 'running' | 'ended';
  pid: number | null;
  killRequested: boolean;
  killGracePeriodMs?: number;
  /** An exit that arrived before launch() returned: reported after TASK_RUNNING. */
  earlyExit?: TaskExit;
  /** phase 'ended': the terminal state being reported. */
  state?: TaskState;
  exitCode?: number | null;
  /** The executor has a sandbox for it (so its exit can be acknowledged there). */
  hasSandbox: boolean;
  /** Stops its health and readiness checks; set while they run. */
  stopChecks?: () => void;
}

export interface TaskManagerOptions {
  executor: TaskExecutor;
  queue: StatusUpdateQueue;
  clock: Clock;
  logger: Logger;
  /** The agent's hostname: `HOST` for tasks whose launch names none. */
  hostname: string;
  /** Runs the tasks' health and readiness checks; default none. */
  checks?: TaskChecks;
}

/**
 * The agent's tasks: runs the master's launch and kill commands on the executor and turns what
 * happens to tasks into status updates, in order (RUNNING is enqueued before the task's end,
 * even when the task ends before launch() returns). A task leaves the table when its terminal
 * update has been acked (or refused) by the master; only then is its exit acknowledged to the
 * executor, so an agent that dies before that reports it again.
 *
 * A running task's checks (health/) start with its TASK_RUNNING and stop, synchronously, when a
 * kill is asked for or its end is reported; their transitions are TASK_RUNNING updates with
 * `health` or `readiness`, enqueued like the others, so the master sees them after RUNNING and
 * before the end.
 */
export class TaskManager {
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly changeListeners = new Set<() => void>();
  private readonly checks: TaskChecks;
  private unsubscribe?: () => void;

  constructor(private readonly options: TaskManagerOptions) {
    this.checks = options.checks ?? NO_CHECKS;
  }

  /** Listens to the executor; call before adopt() (which reports exits found at start). */
  attach(): void {
    this.unsubscribe ??= this.options.executor.onExit((exit) => this.onExit(exit));
  }

  /** Stops listening, and stops every task's checks (the tasks keep running). */
  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const entry of this.tasks.values()) this.stopChecks(entry);
    this.checks.close();
  }

  /**
   * Takes in what an earlier run left: terminal updates still waiting for an ack (so the task is
   * listed, and its exit is not reported a second time), then the executor's adopted tasks.
   */
  async recover(pending: readonly StatusUpdate[]): Promise<void> {
    for (const update of pending) {
      if (!isTerminalState(update.state)) continue;
      this.tasks.set(update.taskId, {
        taskId: update.taskId,
        phase: 'ended',
        pid: update.pid,
        killRequested: false,
        state: update.state,
        exitCode: update.exitCode,
        hasSandbox: true,
      });
    }
    for (const adopted of await this.options.executor.adopt()) {
      if (adopted.state !== 'running') continue; // its exit already came through onExit
      const entry: TaskEntry = {
        taskId: adopted.taskId,
        phase: 'running',
        pid: adopted.checkpoint?.pid ?? null,
        killRequested: false,
        hasSandbox: true,
      };
      this.tasks.set(adopted.taskId, entry);
      this.startAdoptedChecks(entry, adopted);
    }
    const running = [...this.tasks.values()].filter((task) => task.phase === 'running').length;
    this.options.logger.info({ running, ended: this.tasks.size - running }, 'tasks adopted from the work dir');
  }

  /** One line of the command stream. */
  handleLine(line: string): void {
    const parsed = parseCommandLine(line);
    if (!parsed.ok) {
      if (parsed.kind === 'unknown-type') {
        this.options.logger.debug({ type: parsed.type }, 'skipping a command this agent does not know');
      } else if (parsed.taskId !== undefined && !this.tasks.has(parsed.taskId)) {
        this.refuseLaunch(parsed.taskId, `invalid launch command: ${parsed.reason}`);
      } else {
        this.options.logger.warn({ reason: parsed.reason, line: line.slice(0, 500) }, 'invalid command skipped');
      }
      return;
    }
    const { command } = parsed;
    switch (command.type) {
      case 'launch':
        void this.launch(command.task);
        return;
      case 'kill':
        this.kill(command.taskId, command.gracePeriodSeconds);
        return;
      case 'ping':
        return;
      default: {
        const exhaustive: never = command;
        return exhaustive;
      }
    }
  }

  async launch(task: LaunchTask): Promise<void> {
    const { logger, executor } = this.options;
    if (this.tasks.has(task.taskId)) {
      logger.warn({ taskId: task.taskId }, 'launch of a task this agent already has: ignored');
      return;
    }
    const entry: TaskEntry = {
      taskId: task.taskId,
      phase: 'launching',
      pid: null,
      killRequested: false,
      hasSandbox: false,
    };
    this.tasks.set(task.taskId, entry);
    const spec = taskSpecOf(task, this.options.hostname);
    let launched: { pid: number; sandboxDir?: string };
    try {
      launched = await executor.launch(spec);
    } catch (error) {
      this.launchFailed(entry, error);
      return;
    }
    const { pid } = launched;
    entry.phase = 'running';
    entry.pid = pid;
    entry.hasSandbox = true;
    logger.info({ taskId: task.taskId, pid, appId: task.appId }, 'task running');
    this.enqueue({ taskId: task.taskId, state: 'TASK_RUNNING', reason: null, message: null, exitCode: null, pid });
    if (entry.earlyExit) {
      this.onExit(entry.earlyExit);
    } else if (entry.killRequested) {
      executor.kill(task.taskId, entry.killGracePeriodMs);
    } else {
      this.startChecks(entry, {
        taskId: task.taskId,
        spec,
        sandboxDir: launched.sandboxDir,
        healthChecks: task.healthChecks,
        readinessChecks: task.readinessChecks,
        runningSince: this.options.clock.now(),
      });
    }
  }

  /** Asks the task to stop; its exit is reported as TASK_KILLED. */
  kill(taskId: string, gracePeriodSeconds?: number): void {
    const entry = this.tasks.get(taskId);
    if (!entry) {
      // Nothing to report: the master learns the agent lacks it from the next registration.
      this.options.logger.info({ taskId }, 'kill of a task this agent does not have: ignored');
      return;
    }
    if (entry.phase === 'ended') return; // its end is being reported
    entry.killRequested = true;
    this.stopChecks(entry); // a task being killed is not checked (and its failing checks not reported)
    entry.killGracePeriodMs = gracePeriodSeconds === undefined ? undefined : gracePeriodSeconds * 1000;
    if (entry.phase === 'launching') {
      // Killed as soon as launch() returns; a fetch under way stops now (the command never starts).
      this.options.executor.stopLaunch?.(taskId);
      return;
    }
    const outcome = this.options.executor.kill(taskId, entry.killGracePeriodMs);
    this.options.logger.info({ taskId, outcome, gracePeriodSeconds }, 'kill');
  }

  /** The task list of a registration: everything not yet known to have reached the master as ended. */
  registeredTasks(): RegisteredTask[] {
    return [...this.tasks.values()].map((entry) => ({
      taskId: entry.taskId,
      state: entry.phase === 'launching' ? 'TASK_STAGING' : entry.phase === 'running' ? 'TASK_RUNNING' : entry.state!,
      exitCode: entry.phase === 'ended' ? (entry.exitCode ?? null) : null,
      pid: entry.pid,
    }));
  }

  /** Ids of tasks that are (or are about to be) running. */
  liveTaskIds(): string[] {
    return [...this.tasks.values()].filter((entry) => entry.phase !== 'ended').map((entry) => entry.taskId);
  }

  /** The status update queue's hook: a terminal update reached the master (or was refused). */
  async onSettled(update: StatusUpdate, outcome: SettledOutcome): Promise<void> {
    if (!isTerminalState(update.state)) return;
    const entry = this.tasks.get(update.taskId);
    if (entry && entry.phase !== 'ended') return; // a stale terminal update of an earlier run; the task lives
    this.tasks.delete(update.taskId);
    if (entry?.hasSandbox !== false) {
      await this.options.executor.acknowledgeExit(update.taskId).catch((error: unknown) => {
        // No sandbox (the launch failed before making one): nothing to mark.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof InvalidTaskIdError) return;
        this.options.logger.warn({ taskId: update.taskId, err: error }, 'could not mark the task end as delivered');
      });
    }
    this.options.logger.debug({ taskId: update.taskId, state: update.state, outcome }, 'task end delivered');
    this.notifyChange();
  }

  /**
   * Kills every live task with the given grace period and waits (at most `timeoutMs`) for their
   * ends. For `cairn dev`'s Ctrl-C, which must not wait out a long grace period.
   */
  async killAll(gracePeriodSeconds: number, timeoutMs: number): Promise<void> {
    for (const taskId of this.liveTaskIds()) this.kill(taskId, gracePeriodSeconds);
    await new Promise<void>((resolve) => {
      const listeners = this.changeListeners;
      const check = () => {
        if (this.liveTaskIds().length === 0) finish();
      };
      const finish = () => {
        cancelTimer();
        listeners.delete(check);
        resolve();
      };
      const cancelTimer = this.options.clock.setTimer(timeoutMs, finish);
      listeners.add(check);
      check();
    });
  }

  private onExit(exit: TaskExit): void {
    const entry = this.tasks.get(exit.taskId);
    if (entry?.phase === 'launching') {
      entry.earlyExit = exit;
      return;
    }
    if (entry) this.stopChecks(entry); // before the end is enqueued: no health update comes after it
    const pendingEnd = this.options.queue.pendingTerminal(exit.taskId);
    if (pendingEnd) {
      // Reported before the agent restarted; that update is still on its way.
      this.tasks.set(exit.taskId, {
        ...(entry ?? emptyEntry(exit.taskId)),
        stopChecks: undefined,
        phase: 'ended',
        state: pendingEnd.state,
        exitCode: pendingEnd.exitCode,
      });
      this.notifyChange();
      return;
    }
    const status = statusForExit(exit, entry?.killRequested ?? false, new Date(exit.finishedAt).toISOString());
    this.tasks.set(exit.taskId, {
      ...(entry ?? emptyEntry(exit.taskId)),
      stopChecks: undefined,
      phase: 'ended',
      state: status.state,
      exitCode: status.exitCode,
    });
    this.options.logger.info(
      { taskId: exit.taskId, state: status.state, exitCode: status.exitCode, message: status.message },
      'task ended',
    );
    this.enqueue({ ...status, pid: entry?.pid ?? null });
    this.notifyChange();
  }

  private launchFailed(entry: TaskEntry, error: unknown): void {
    if (error instanceof TaskAlreadyLaunchedError) {
      // Launched by an earlier run and already reported as ended: a task id runs at most once.
      this.tasks.delete(entry.taskId);
      this.options.logger.warn({ taskId: entry.taskId }, 'launch of a task that already ran here: ignored');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ taskId: entry.taskId, err: message }, 'launch failed');
    const { state, reason } = launchFailure(error, entry.killRequested);
    this.tasks.set(entry.taskId, { ...entry, phase: 'ended', state, exitCode: null });
    this.enqueue({ taskId: entry.taskId, state, reason, message, exitCode: null, pid: null });
    this.notifyChange();
  }

  private refuseLaunch(taskId: string, message: string): void {
    this.options.logger.warn({ taskId, reason: message }, 'launch refused');
    this.tasks.set(taskId, {
      ...emptyEntry(taskId),
      hasSandbox: false,
      phase: 'ended',
      state: 'TASK_ERROR',
      exitCode: null,
    });
    this.enqueue({ taskId, state: 'TASK_ERROR', reason: Reason.TaskInvalid, message, exitCode: null, pid: null });
  }

  private startChecks(entry: TaskEntry, task: CheckedTask): void {
    if (!hasChecks(task)) return;
    const stop = this.checks.start(task, (report) => this.onCheckReport(entry, report));
    entry.stopChecks = stop;
    this.options.logger.debug(
      { taskId: task.taskId, health: task.healthChecks.length, readiness: task.readinessChecks.length },
      'checks started',
    );
  }

  /**
   * A re-adopted task's checks start over (nothing of their state is kept across agent runs); the
   * grace period and delaySeconds still count from the task's start, not from the adoption.
   */
  private startAdoptedChecks(entry: TaskEntry, adopted: AdoptedTaskView): void {
    const checkpoint = adopted.checkpoint;
    if (!checkpoint?.spec) return;
    const checks = checksOfSpec(checkpoint.spec);
    if (!checks.ok) {
      this.options.logger.warn(
        { taskId: entry.taskId, reason: checks.reason },
        'checkpointed checks unreadable: not run',
      );
      return;
    }
    this.startChecks(entry, {
      taskId: entry.taskId,
      spec: checkpoint.spec,
      sandboxDir: checkpoint.sandboxDir,
      healthChecks: checks.healthChecks,
      readinessChecks: checks.readinessChecks,
      runningSince: checkpoint.launchedAt ?? this.options.clock.now(),
    });
  }

  private stopChecks(entry: TaskEntry): void {
    entry.stopChecks?.();
    entry.stopChecks = undefined;
  }

  /** A check's transition: a TASK_RUNNING update, unless the task is no longer running unkilled. */
  private onCheckReport(entry: TaskEntry, report: CheckReport): void {
    if (this.tasks.get(entry.taskId) !== entry || entry.phase !== 'running' || entry.killRequested) return;
    this.options.logger.info({ taskId: entry.taskId, message: report.message }, 'check transition');
    this.enqueue({
      taskId: entry.taskId,
      state: 'TASK_RUNNING',
      reason: report.kind === 'health' ? Reason.HealthCheckStatusUpdated : Reason.CheckStatusUpdated,
      message: report.message,
      exitCode: null,
      pid: entry.pid,
      ...(report.kind === 'health' ? { health: report.health } : { readiness: report.readiness }),
    });
  }

  /** Enqueued synchronously (that fixes the order); the checkpoint write completes later. */
  private enqueue(body: Omit<StatusUpdateBody, 'at'> & { at?: string }): void {
    const update: StatusUpdateBody = { at: new Date(this.options.clock.now()).toISOString(), ...body };
    this.options.queue.enqueue(update).catch((error: unknown) => {
      this.options.logger.error({ taskId: body.taskId, err: error }, 'status update not queued');
    });
  }

  private notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }
}

/**
 * How a launch that never ran its command ends: refused (TASK_ERROR), its fetch stopped by a kill
 * (TASK_KILLED, as asked), its fetch failed (TASK_FAILED, Mesos's container launch reason), or
 * the spawn failed.
 */
function launchFailure(error: unknown, killRequested: boolean): { state: TaskState; reason: string | null } {
  if (error instanceof InvalidTaskIdError || error instanceof InvalidCommandError) {
    return { state: 'TASK_ERROR', reason: Reason.TaskInvalid };
  }
  if (error instanceof FetchFailedError) {
    if (error.details.aborted && killRequested) return { state: 'TASK_KILLED', reason: null };
    return { state: 'TASK_FAILED', reason: Reason.ContainerLaunchFailed };
  }
  if (error instanceof PortInUseError) return { state: 'TASK_FAILED', reason: Reason.ContainerLaunchFailed };
  return { state: 'TASK_FAILED', reason: Reason.CommandFailed };
}

function emptyEntry(taskId: string): TaskEntry {
  return { taskId, phase: 'ended', pid: null, killRequested: false, hasSandbox: true };
}
