import type { z } from 'zod';
import { isTerminalTaskState, taskStateSchema } from '@cairn/events';

/**
 * Task states by Mesos's JSON names (mesos.proto `TaskState`), as the agent reports them and the
 * master records them. The agent itself only ever sends RUNNING, FINISHED, FAILED, KILLED and
 * ERROR; the master derives the others (LOST, GONE, UNREACHABLE, ...).
 */
export const TASK_STATES = taskStateSchema.options;

export type TaskState = z.infer<typeof taskStateSchema>;

/** States after which a task never runs again: Mesos's set, shared with the master (libs/events). */
export const isTerminalState = isTerminalTaskState;
