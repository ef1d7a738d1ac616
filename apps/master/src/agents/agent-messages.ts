import { z } from 'zod';
import { healthReportSchema, readinessReportSchema, resourcesSchema, taskStateSchema } from '@cairn/events';

/**
 * The agent protocol's request bodies (docs/agent-protocol.md). This is Cairn's internal API,
 * checked with the same zod vocabulary as the events it turns into (the Marathon-facing REST
 * edge uses class-validator).
 */
export const registerAgentBody = z.object({
  agentId: z.string().min(1).nullish(),
  hostname: z.string().min(1).max(255),
  filesPort: z.number().int().min(0).max(65535),
  resources: resourcesSchema,
  attributes: z.record(z.string(), z.string()).default({}),
  capabilities: z.array(z.string()).default(['MESOS']),
  tasks: z.array(z.object({ taskId: z.string().min(1), state: taskStateSchema })).default([]),
});

export const statusUpdateBody = z.object({
  updateId: z.string().min(1),
  taskId: z.string().min(1),
  state: taskStateSchema,
  reason: z.string().nullish(),
  message: z.string().nullish(),
  exitCode: z.number().int().nullish(),
  /** A health check's transition (docs/agent-protocol.md): only changes are sent. */
  health: healthReportSchema.nullish(),
  /** A readiness check passed. */
  readiness: readinessReportSchema.nullish(),
});

/** Updates one `POST .../statuses` may carry (agents send up to 256): a bound on one request's work. */
export const STATUS_BATCH_BODY_MAX = 1_000;

/**
 * The body of `POST .../statuses`. Each update is checked on its own (statusUpdateBody), so one
 * malformed update is refused alone and the others are still recorded.
 */
export const statusBatchBody = z.object({
  updates: z.array(z.unknown()).min(1).max(STATUS_BATCH_BODY_MAX),
});
