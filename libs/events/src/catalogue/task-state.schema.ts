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
