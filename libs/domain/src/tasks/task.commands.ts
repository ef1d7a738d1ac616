import type { TaskState } from '@cairn/events';
import type { CommandMeta } from '../command';

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
  readonly meta: CommandMeta;
}

export type TaskCommand = ReportTaskStatus;
