import type { z } from 'zod';
import { taskStateSchema } from '@cairn/events';

/**
 * Task states by Mesos's JSON names (mesos.proto `TaskState`), as the agent reports them and the
 * master records them. The agent itself only ever sends RUNNING, FINISHED, FAILED, KILLED and
 * ERROR; the master derives the others (LOST, GONE, UNREACHABLE, ...).
 */
export const TASK_STATES = taskStateSchema.options;

export type TaskState = z.infer<typeof taskStateSchema>;

/** States after which a task never runs again (mesos `protobuf::isTerminalState`). */
const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
]);

export function isTerminalState(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}
