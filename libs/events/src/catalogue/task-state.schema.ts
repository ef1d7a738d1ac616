import { z } from 'zod';

/** Mesos task states, by their JSON names (Marathon shows the same names). */
export const taskStateSchema = z.enum([
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_UNKNOWN',
]);
export type TaskState = z.infer<typeof taskStateSchema>;

/**
 * Mesos's terminal states (`protobuf::isTerminalState`): the task never runs again. UNREACHABLE
 * and UNKNOWN are not among them: such a task may come back. One definition for master and agent.
 */
export const MESOS_TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
]);

export const isTerminalTaskState = (state: TaskState): boolean => MESOS_TERMINAL_STATES.has(state);
