import type { TaskState } from '@cairn/events';
import type { CommandMeta } from '../command';
import type { HealthResult } from '../state';

/** An agent's status update for one of its tasks (reliable: it carries the agent's uuid). */
export interface ReportTaskStatus {
  readonly kind: 'ReportTaskStatus';
  readonly agentId: string;
  readonly taskId: string;
  readonly state: TaskState;
  readonly updateId: string;
  readonly reason: string | null;
  readonly message: string | null;
  readonly exitCode: number | null;
  /** A health check's transition (the agent sends only those), with `state` the task's current one. */
  readonly health?: HealthReport | null;
  /** A readiness check passed. */
  readonly readiness?: ReadinessReport | null;
  readonly meta: CommandMeta;
}

/** One check's verdict as of its transition, and which check it is. */
export interface HealthReport extends HealthResult {
  readonly checkIndex: number;
}

export interface ReadinessReport {
  readonly name: string;
  readonly ready: boolean;
  readonly lastResponse: { readonly status: number; readonly contentType: string; readonly body: string } | null;
}

/**
 * Marathon's task kill (DELETE /v2/apps/{id}/tasks[/{taskId}], POST /v2/tasks/delete). Without
 * `scale` each killed task is replaced, as its app still wants its instances; with `scale` the
 * apps' instance counts drop by the tasks killed, in one deployment (refused while another locks
 * the apps, unless `force`). Marathon's `wipe` only differs for resident tasks (which Cairn does
 * not have): here it is a plain kill.
 */
export interface KillTasks {
  readonly kind: 'KillTasks';
  readonly taskIds: readonly string[];
  readonly scale: boolean;
  readonly force: boolean;
  readonly meta: CommandMeta;
}

export type TaskCommand = ReportTaskStatus | KillTasks;
