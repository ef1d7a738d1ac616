import type { Clock } from '@cairn/common';
import type { Logger } from 'pino';
import { InvalidCommandError, InvalidTaskIdError, TaskAlreadyLaunchedError } from '../executor';
import { parseCommandLine, type LaunchTask, type RegisteredTask, type StatusUpdate } from '../protocol/agent-protocol';
import { isTerminalState, type TaskState } from '../protocol/task-state';
import type { SettledOutcome, StatusUpdateBody, StatusUpdateQueue } from '../status/status-update-queue';
import { Reason, statusForExit } from './exit-status';
import { taskSpecOf } from './launch-spec';
import type { TaskExecutor, TaskExit } from './task-executor';

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
}

export interface TaskManagerOptions {
  executor: TaskExecutor;
  queue: StatusUpdateQueue;
  clock: Clock;
  logger: Logger;
  /** The agent's hostname: `HOST` for tasks whose launch names none. */
  hostname: string;
}

/**
 * The agent's tasks: runs the master's launch and kill commands on the executor and turns what
 * happens to tasks into status updates, in order (RUNNING is enqueued before the task's end,
 * even when the task ends before launch() returns). A task leaves the table when its terminal
 * update has been acked (or refused) by the master; only then is its exit acknowledged to the
 * executor, so an agent that dies before that reports it again.
 */
export class TaskManager {
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly changeListeners = new Set<() => void>();
  private unsubscribe?: () => void;

  constructor(private readonly options: TaskManagerOptions) {}

  /** Listens to the executor; call before adopt() (which reports exits found at start). */
  attach(): void {
    this.unsubscribe ??= this.options.executor.onExit((exit) => this.onExit(exit));
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
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
      this.tasks.set(adopted.taskId, {
        taskId: adopted.taskId,
        phase: 'running',
        pid: adopted.checkpoint?.pid ?? null,
        killRequested: false,
        hasSandbox: true,
      });
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
    let pid: number;
    try {
      ({ pid } = await executor.launch(taskSpecOf(task, this.options.hostname)));
    } catch (error) {
      this.launchFailed(entry, error);
      return;
    }
    entry.phase = 'running';
    entry.pid = pid;
    entry.hasSandbox = true;
    logger.info({ taskId: task.taskId, pid, appId: task.appId }, 'task running');
    this.enqueue({ taskId: task.taskId, state: 'TASK_RUNNING', reason: null, message: null, exitCode: null, pid });
    if (entry.earlyExit) {
      this.onExit(entry.earlyExit);
    } else if (entry.killRequested) {
      executor.kill(task.taskId, entry.killGracePeriodMs);
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
    entry.killGracePeriodMs = gracePeriodSeconds === undefined ? undefined : gracePeriodSeconds * 1000;
    if (entry.phase === 'launching') return; // killed as soon as launch() returns
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
    const pendingEnd = this.options.queue.pendingTerminal(exit.taskId);
    if (pendingEnd) {
      // Reported before the agent restarted; that update is still on its way.
      this.tasks.set(exit.taskId, {
        ...(entry ?? emptyEntry(exit.taskId)),
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
    const invalid = error instanceof InvalidTaskIdError || error instanceof InvalidCommandError;
    const message = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ taskId: entry.taskId, err: message }, 'launch failed');
    this.tasks.set(entry.taskId, {
      ...entry,
      phase: 'ended',
      state: invalid ? 'TASK_ERROR' : 'TASK_FAILED',
      exitCode: null,
    });
    this.enqueue({
      taskId: entry.taskId,
      state: invalid ? 'TASK_ERROR' : 'TASK_FAILED',
      reason: invalid ? Reason.TaskInvalid : Reason.CommandFailed,
      message,
      exitCode: null,
      pid: null,
    });
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

function emptyEntry(taskId: string): TaskEntry {
  return { taskId, phase: 'ended', pid: null, killRequested: false, hasSandbox: true };
}
