import { z } from 'zod';
import { resourcesSchema } from './agent.events';
import { taskStateSchema } from './task-state.schema';

export const taskCommandSchema = z.union([
  z.object({ shell: z.literal(true), value: z.string().min(1) }),
  z.object({ shell: z.literal(false), args: z.array(z.string()).min(1) }),
]);

/** The master placed a task on an agent (from an accepted offer). Key: the task id. */
export const taskLaunchedV1 = z.object({
  taskId: z.string().min(1),
  appId: z.string().startsWith('/'),
  appVersion: z.string(),
  agentId: z.string().min(1),
  host: z.string().min(1),
  offerId: z.string().min(1),
  resources: resourcesSchema,
  ports: z.array(z.number().int().min(0).max(65535)),
  portNames: z.array(z.string().nullable()),
  command: taskCommandSchema,
  env: z.record(z.string(), z.string()),
  killGracePeriodSeconds: z.number().min(0).nullable(),
});

/** A status the agent reported (or the master decided, e.g. LOST on reconciliation). Key: the task id. */
export const taskStatusUpdatedV1 = z.object({
  taskId: z.string().min(1),
  agentId: z.string().min(1),
  state: taskStateSchema,
  /** The agent's update uuid (duplicates are recognised by it), or null for the master's own. */
  updateId: z.string().nullable(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  exitCode: z.number().int().nullable(),
});

/** The master asked the agent to kill a task (scale down, app deleted, unknown to the log). */
export const taskKillRequestedV1 = z.object({
  taskId: z.string().min(1),
  agentId: z.string().min(1),
  reason: z.string().min(1),
});
