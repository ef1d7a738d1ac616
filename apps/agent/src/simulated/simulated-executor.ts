import type { Clock } from '@cairn/common';
import { ExecutorClosedError, TaskAlreadyLaunchedError } from '../executor';
import { statusForSignal } from '../executor/task-exit';
import type { AdoptedTaskView, KillOutcome, TaskExecutor, TaskExit, TaskSpec } from '../tasks/task-executor';
import { type FateSettings, taskFate } from './task-fate';

/** Synthetic pids start here, so they do not look like the low pids of system processes. */
const FIRST_SYNTHETIC_PID = 100_000;

interface SimulatedTask {
  readonly taskId: string;
  readonly pid: number;
  phase: 'starting' | 'running' | 'ended';
  cancelTimer?: () => void;
}

/** What a SimulatedExecutor has done so far (counts since it was made). */
export interface SimulatedExecutorCounts {
  launched: number;
  running: number;
  finished: number;
  failed: number;
  killed: number;
}

/**
 * The `simulated` executor (Nomad's mock driver): no process, only timers on the injected clock.
 * launch() resolves after the run-up (the "process is started" point of the process executor),
 * the end comes through onExit after the task's run time, as exit 0 or FAILED_EXIT_CODE (see
 * task-fate.ts), and a kill ends it at once as SIGTERM would end `sleep` (exit 143). Pids are
 * synthetic, one counter per executor. Nothing survives the process: adopt() finds nothing.
 */
export class SimulatedExecutor implements TaskExecutor {
  private readonly tasks = new Map<string, SimulatedTask>();
  /** Every task id ever launched here: a task id runs at most once, also after its end. */
  private readonly launchedIds = new Set<string>();
  private readonly listeners = new Set<(exit: TaskExit) => void>();
  private nextPid = FIRST_SYNTHETIC_PID;
  private closed = false;
  readonly counts: SimulatedExecutorCounts = { launched: 0, running: 0, finished: 0, failed: 0, killed: 0 };

  constructor(private readonly options: { clock: Clock; fate: FateSettings }) {}

  onExit(listener: (exit: TaskExit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  launch(spec: TaskSpec): Promise<{ taskId: string; pid: number }> {
    const { taskId } = spec;
    if (this.closed) return Promise.reject(new ExecutorClosedError({ taskId }));
    if (this.launchedIds.has(taskId)) {
      return Promise.reject(new TaskAlreadyLaunchedError({ taskId, sandboxDir: '(simulated)' }));
    }
    this.launchedIds.add(taskId);
    this.counts.launched++;
    const fate = taskFate(taskId, this.options.fate);
    const task: SimulatedTask = { taskId, pid: this.nextPid++, phase: 'starting' };
    this.tasks.set(taskId, task);
    return new Promise((resolve) => {
      task.cancelTimer = this.options.clock.setTimer(fate.runUpMs, () => {
        task.phase = 'running';
        this.counts.running++;
        if (fate.runMs !== null) {
          task.cancelTimer = this.options.clock.setTimer(fate.runMs, () =>
            this.end(task, { taskId, kind: 'exited', exitCode: fate.exitCode, finishedAt: this.options.clock.now() }),
          );
        } else {
          task.cancelTimer = undefined;
        }
        resolve({ taskId, pid: task.pid });
      });
    });
  }

  kill(taskId: string): KillOutcome {
    const task = this.tasks.get(taskId);
    // The TaskManager kills only after launch() resolved, so a starting task is not asked here.
    if (!task || task.phase !== 'running') return 'not-running';
    this.end(task, {
      taskId,
      kind: 'signaled',
      signal: 'SIGTERM',
      exitCode: statusForSignal('SIGTERM'),
      finishedAt: this.options.clock.now(),
    });
    return 'signalled';
  }

  async adopt(): Promise<readonly AdoptedTaskView[]> {
    return [];
  }

  async acknowledgeExit(taskId: string): Promise<void> {
    this.tasks.delete(taskId);
  }

  /** Stops every timer: the simulated tasks vanish with the simulator. */
  close(): void {
    this.closed = true;
    for (const task of this.tasks.values()) task.cancelTimer?.();
    this.tasks.clear();
  }

  private end(task: SimulatedTask, exit: TaskExit): void {
    task.cancelTimer?.();
    task.cancelTimer = undefined;
    task.phase = 'ended';
    this.counts.running--;
    if (exit.kind === 'signaled') this.counts.killed++;
    else if (exit.kind === 'exited' && exit.exitCode === 0) this.counts.finished++;
    else this.counts.failed++;
    // Never from inside kill(): a process exit is noticed later, and callers do not expect re-entry.
    queueMicrotask(() => {
      for (const listener of [...this.listeners]) listener(exit);
    });
  }
}
