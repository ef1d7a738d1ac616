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

/**
 * The task's agent became unreachable and its app's `unreachableStrategy` keeps it (Marathon's
 * Unreachable instance): it still counts towards the app's instances until it turns inactive
 * (`TaskUnreachableInactive`), and it is expunged (a TASK_UNREACHABLE status ends it) after
 * `expungeAfterSeconds`, unless its agent comes back first. The strategy's timers are copied here
 * when the decision is made; null: never ("disabled"). Key: the task id.
 */
export const taskUnreachableV1 = z.object({
  taskId: z.string().min(1),
  agentId: z.string().min(1),
  message: z.string(),
  inactiveAfterSeconds: z.number().min(0).nullable(),
  expungeAfterSeconds: z.number().min(0).nullable(),
});

/** An unreachable task stopped counting towards its app's instances: it is replaced. Key: the task id. */
export const taskUnreachableInactiveV1 = z.object({
  taskId: z.string().min(1),
  agentId: z.string().min(1),
});

/** Marathon's health check protocols (notes §2.2): one list for the REST edge, the events and the agent. */
export const HEALTH_CHECK_PROTOCOLS = [
  'HTTP',
  'HTTPS',
  'TCP',
  'COMMAND',
  'MESOS_HTTP',
  'MESOS_HTTPS',
  'MESOS_TCP',
] as const;
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];

/** One health check as the agent runs it (an app's `healthChecks[i]`, defaults filled). */
export const healthCheckSpecSchema = z.object({
  protocol: z.enum(HEALTH_CHECK_PROTOCOLS),
  path: z.string().nullable(),
  portIndex: z.number().int().min(0).nullable(),
  port: z.number().int().min(0).max(65535).nullable(),
  command: z.string().nullable(),
  gracePeriodSeconds: z.number().min(0),
  intervalSeconds: z.number().min(0),
  timeoutSeconds: z.number().min(0),
  maxConsecutiveFailures: z.number().int().min(0),
  delaySeconds: z.number().min(0),
  ignoreHttp1xx: z.boolean(),
});

/** One readiness check as the agent runs it (`portName` resolved to an index). */
export const readinessCheckSpecSchema = z.object({
  name: z.string().min(1),
  protocol: z.enum(['HTTP', 'HTTPS']),
  path: z.string(),
  portIndex: z.number().int().min(0),
  intervalSeconds: z.number().min(0),
  timeoutSeconds: z.number().min(0),
  httpStatusCodesForReady: z.array(z.number().int()),
});

/**
 * Why the task went where it did, decided with it: how many agents were offered in that pass, and
 * the agents that were not taken for it before this one, bounded: a few examples with their first
 * reason (the funnel's order), and a count per reason.
 */
export const placementRecordSchema = z.object({
  agentsOffered: z.number().int().min(0),
  passedOver: z.array(z.object({ agentId: z.string().min(1), reason: z.string().min(1) })),
  passedOverByReason: z.record(z.string(), z.number().int().min(1)),
});

/** v2: the checks a task runs travel with its launch (v1 tasks ran none), and why it went there. */
export const taskLaunchedV2 = taskLaunchedV1.extend({
  healthChecks: z.array(healthCheckSpecSchema),
  readinessChecks: z.array(readinessCheckSpecSchema),
  placement: placementRecordSchema.nullable(),
});

/**
 * One artifact the agent downloads into the task's sandbox before the command starts (Marathon's
 * `fetch[i]`, or a legacy `uris[i]`, defaults filled by the master). `destPath`: the file's path
 * relative to the sandbox, or null for the uri's last path segment. `cache` is recorded as asked;
 * the agent does not cache (docs/fetch.md).
 */
export const fetchArtifactSpecSchema = z.object({
  uri: z.string().min(1).max(1024),
  extract: z.boolean(),
  executable: z.boolean(),
  cache: z.boolean(),
  destPath: z.string().min(1).nullable(),
});

/** v3: the artifacts to fetch travel with the launch (v2 tasks fetched nothing). */
export const taskLaunchedV3 = taskLaunchedV2.extend({
  fetch: z.array(fetchArtifactSpecSchema),
});

/**
 * A health check of a task changed verdict (only transitions are events: alive <-> not alive, and
 * reaching maxConsecutiveFailures). Carries the values as of this transition. Key: the task id.
 */
/** A health check's verdict as the agent reports it on a transition (the agent protocol's `health`). */
export const healthReportSchema = z.object({
  checkIndex: z.number().int().min(0),
  alive: z.boolean(),
  consecutiveFailures: z.number().int().min(0),
  firstSuccess: z.string().nullable(),
  lastSuccess: z.string().nullable(),
  lastFailure: z.string().nullable(),
  lastFailureCause: z.string().nullable(),
});

/** A readiness check's result as the agent reports it (the agent protocol's `readiness`). */
export const readinessReportSchema = z.object({
  name: z.string().min(1),
  ready: z.boolean(),
  lastResponse: z.object({ status: z.number().int(), contentType: z.string(), body: z.string() }).nullable(),
});

export const taskHealthChangedV1 = z.object({
  taskId: z.string().min(1),
  appId: z.string().startsWith('/'),
  ...healthReportSchema.shape,
  /** The agent's update uuid (the reliable status path). */
  updateId: z.string().nullable(),
});

/** A task's readiness check passed (reported once). Key: the task id. */
export const taskReadinessChangedV1 = z.object({
  taskId: z.string().min(1),
  appId: z.string().startsWith('/'),
  ...readinessReportSchema.shape,
  updateId: z.string().nullable(),
});
