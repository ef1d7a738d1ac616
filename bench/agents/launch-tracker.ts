import type { RecordedEventJson } from './log-pages';

/** States after which a launch did not reach RUNNING in this benchmark (none expected). */
const UNEXPECTED_STATES = new Set([
  'TASK_FAILED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_UNREACHABLE',
]);

/**
 * Reads the master's events of a scale-up: when each app's scale was recorded (AppScaled),
 * which app each task belongs to (TaskLaunched), and when each task was recorded RUNNING
 * (TaskStatusUpdated). Times are the events' `at`: the master's clock when it decided.
 */
export class LaunchTracker {
  private readonly scaledAtMs = new Map<string, number>();
  private readonly appOfTask = new Map<string, string>();
  private readonly runningAtMs = new Map<string, number>();
  private readonly launchedAtMs: number[] = [];
  private lastRunningOffset = -1;
  private unexpected: RecordedEventJson[] = [];

  constructor(private readonly tasks: number) {}

  accept(event: RecordedEventJson): void {
    const data = event.data;
    switch (event.type) {
      case 'AppScaled':
        this.scaledAtMs.set(data.appId as string, Date.parse(event.at));
        return;
      case 'TaskLaunched':
        this.appOfTask.set(data.taskId as string, data.appId as string);
        this.launchedAtMs.push(Date.parse(event.at));
        return;
      case 'TaskStatusUpdated': {
        const taskId = data.taskId as string;
        if (data.state === 'TASK_RUNNING' && !this.runningAtMs.has(taskId)) {
          this.runningAtMs.set(taskId, Date.parse(event.at));
          this.lastRunningOffset = event.offset;
        } else if (UNEXPECTED_STATES.has(data.state as string)) {
          this.unexpected.push(event);
        }
        return;
      }
    }
  }

  running(): number {
    return this.runningAtMs.size;
  }

  /** Throws unless exactly `tasks` tasks were recorded RUNNING and none ended instead. */
  check(): void {
    if (this.unexpected.length > 0) {
      throw new Error(`a task did not reach RUNNING: ${JSON.stringify(this.unexpected[0]).slice(0, 500)}`);
    }
    if (this.runningAtMs.size !== this.tasks) {
      throw new Error(`the log has ${this.runningAtMs.size} tasks RUNNING, expected ${this.tasks}`);
    }
  }

  /** When the last task was recorded RUNNING (epoch ms) and the offset of that event. */
  lastRunning(): { atMs: number; offset: number } {
    let atMs = -Infinity;
    for (const at of this.runningAtMs.values()) atMs = Math.max(atMs, at);
    return { atMs, offset: this.lastRunningOffset };
  }

  /** Per task: its app's scale command recorded → the task recorded RUNNING, in ms. */
  latenciesMs(): number[] {
    const latencies: number[] = [];
    for (const [taskId, runningAt] of this.runningAtMs) {
      const appId = this.appOfTask.get(taskId);
      const scaledAt = appId === undefined ? undefined : this.scaledAtMs.get(appId);
      if (scaledAt === undefined) throw new Error(`task ${taskId} RUNNING without a recorded scale of its app`);
      latencies.push(runningAt - scaledAt);
    }
    return latencies;
  }

  /**
   * Where a scale-up's time went, from the log's own times: the first scale recorded → the first
   * launch decided, first → last launch decided, last launch decided → last RUNNING recorded.
   */
  phasesMs(): { toFirstLaunch: number; launching: number; lastLaunchToLastRunning: number } {
    // Loops, not Math.min(...): a burst's 200,000 launches are too many arguments for one call.
    let scaled = Infinity;
    for (const at of this.scaledAtMs.values()) scaled = Math.min(scaled, at);
    let first = Infinity;
    let last = -Infinity;
    for (const at of this.launchedAtMs) {
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
    return {
      toFirstLaunch: first - scaled,
      launching: last - first,
      lastLaunchToLastRunning: this.lastRunning().atMs - last,
    };
  }
}
