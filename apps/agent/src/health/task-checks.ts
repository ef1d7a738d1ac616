import type { HealthCheckSpec, HealthReport, ReadinessCheckSpec, ReadinessReport } from '../protocol/agent-protocol';
import type { TaskSpec } from '../tasks/task-executor';

/** A running task whose checks are to run. */
export interface CheckedTask {
  taskId: string;
  /** Ports, host and env: a COMMAND check gets the task's environment. */
  spec: TaskSpec;
  /** The task's sandbox (a COMMAND check's working directory), when it has one. */
  sandboxDir?: string;
  healthChecks: readonly HealthCheckSpec[];
  readinessChecks: readonly ReadinessCheckSpec[];
  /** When the task became RUNNING (agent clock, ms): the grace period and delaySeconds count from here. */
  runningSince: number;
}

/** A transition to report to the master, with a line for the update's `message`. */
export type CheckReport =
  | { kind: 'health'; health: HealthReport; message: string }
  | { kind: 'readiness'; readiness: ReadinessReport; message: string };

/**
 * What the TaskManager needs of health checking: `probe` checks (probe-checks.ts) run real probes;
 * the simulator's (simulated/simulated-checks.ts) make the results up. Both fold them with
 * health-fold.ts and report only transitions.
 */
export interface TaskChecks {
  /** Starts the task's checks; `report` gets each transition. Returns the function that stops them. */
  start(task: CheckedTask, report: (report: CheckReport) => void): () => void;
  /** Stops every task's checks (the agent stops). */
  close(): void;
}

/** An agent that runs no checks. */
export const NO_CHECKS: TaskChecks = { start: () => () => undefined, close: () => undefined };

export function hasChecks(task: Pick<CheckedTask, 'healthChecks' | 'readinessChecks'>): boolean {
  return task.healthChecks.length > 0 || task.readinessChecks.length > 0;
}
