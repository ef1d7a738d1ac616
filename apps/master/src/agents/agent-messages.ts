import { z } from 'zod';
import { resourcesSchema, taskStateSchema } from '@cairn/events';

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
  health: z
    .object({
      checkIndex: z.number().int().min(0),
      alive: z.boolean(),
      consecutiveFailures: z.number().int().min(0),
      firstSuccess: z.string().nullable(),
      lastSuccess: z.string().nullable(),
      lastFailure: z.string().nullable(),
      lastFailureCause: z.string().nullable(),
    })
    .nullish(),
  /** A readiness check passed. */
  readiness: z
    .object({
      name: z.string().min(1),
      ready: z.boolean(),
      lastResponse: z.object({ status: z.number().int(), contentType: z.string(), body: z.string() }).nullable(),
    })
    .nullish(),
});
