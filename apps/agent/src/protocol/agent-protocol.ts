import { z } from 'zod';
import { checkPortProblem, readinessPortProblem } from '../health/check-target';
import { TASK_STATES, type TaskState } from './task-state';

/**
 * The agent's side of docs/agent-protocol.md: what it sends (plain types) and what it receives
 * (zod schemas, because a master of another version may send anything). Paths are relative to a
 * master's base URL.
 */
export const REGISTER_PATH = '/internal/v1/agents/register';
export const commandsPath = (agentId: string): string => `/internal/v1/agents/${encodeURIComponent(agentId)}/commands`;
export const statusPath = (agentId: string): string => `/internal/v1/agents/${encodeURIComponent(agentId)}/status`;
/** Many status updates in one request (§3): the agent's way to send them; `statusPath` takes one. */
export const statusesPath = (agentId: string): string => `/internal/v1/agents/${encodeURIComponent(agentId)}/statuses`;
export const pongPath = (agentId: string): string => `/internal/v1/agents/${encodeURIComponent(agentId)}/pong`;
/** On the command stream's request: this agent answers every ping with POST pongPath (§2). */
export const ANSWERS_PINGS_HEADER = 'x-cairn-agent-pong';

/** Container types the process executor runs: plain processes, as a Mesos agent's MESOS containerizer. */
export const PROCESS_CAPABILITIES = ['MESOS'] as const;

export interface WireResources {
  cpus: number;
  mem: number;
  disk: number;
  /** Inclusive ranges, `[[31000, 32000]]`. */
  ports: [number, number][];
}

/** One task in a registration's list: what the agent knows of it now. */
export interface RegisteredTask {
  taskId: string;
  state: TaskState;
  exitCode: number | null;
  /** The task's process group leader (its wrapper), when it has one. */
  pid: number | null;
}

export interface RegisterRequest {
  /** Absent on the very first registration. */
  agentId?: string;
  hostname: string;
  filesPort: number;
  resources: WireResources;
  attributes: Record<string, string>;
  capabilities: string[];
  tasks: RegisteredTask[];
}

export const registerAnswerSchema = z.object({
  agentId: z.string().min(1),
  reconcile: z.object({ kill: z.array(z.string()).default([]) }).default({ kill: [] }),
});
export type RegisterAnswer = z.infer<typeof registerAnswerSchema>;

/**
 * A health check's verdict as of a transition (docs/health-checks.md): sent only when `alive`
 * flips, or when `consecutiveFailures` reaches the check's `maxConsecutiveFailures`. Times are
 * ISO-8601 on the agent's clock.
 */
export const healthReportSchema = z.object({
  /** Index into the launch's `healthChecks`. */
  checkIndex: z.number().int().nonnegative(),
  alive: z.boolean(),
  consecutiveFailures: z.number().int().nonnegative(),
  firstSuccess: z.string().nullable(),
  lastSuccess: z.string().nullable(),
  lastFailure: z.string().nullable(),
  lastFailureCause: z.string().nullable(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** A readiness check passed (sent once); `body` holds at most READINESS_BODY_MAX_BYTES. */
export const readinessReportSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  lastResponse: z.object({ status: z.number().int(), contentType: z.string(), body: z.string() }).nullable(),
});
export type ReadinessReport = z.infer<typeof readinessReportSchema>;

/** How much of a readiness response's body a report keeps (1 KiB, cut on a UTF-8 boundary). */
export const READINESS_BODY_MAX_BYTES = 1024;

/** The body of `POST .../status`. */
export interface StatusUpdate {
  updateId: string;
  taskId: string;
  state: TaskState;
  /** Mesos `TaskStatus.Reason` name (`REASON_COMMAND_EXECUTOR_FAILED`, ...), or null. */
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  pid: number | null;
  /** ISO-8601, the agent's clock when the fact happened. */
  at: string;
  /** Only on a health transition of a running task (state TASK_RUNNING). */
  health?: HealthReport;
  /** Only when a readiness check passed (state TASK_RUNNING). */
  readiness?: ReadinessReport;
}

export const statusAnswerSchema = z.object({ ack: z.string() });

/**
 * Updates one `POST .../statuses` carries at most. The master takes up to 1,000; 256 keeps a
 * request small (a readiness report holds up to 1 KiB) while a burst of launches still needs few.
 */
export const STATUS_BATCH_MAX = 256;

/** `POST .../statuses` answers 200 with one result per update, in the order sent: its own status and message. */
export const statusBatchAnswerSchema = z.object({
  results: z.array(
    z.object({ updateId: z.string().nullable(), status: z.number().int(), message: z.string().optional() }),
  ),
});

const taskCommandSchema = z.union([
  z.object({ shell: z.literal(true), value: z.string() }),
  z.object({ shell: z.literal(false), args: z.array(z.string()) }),
]);

export { HEALTH_CHECK_PROTOCOLS, type HealthCheckProtocol } from '@cairn/events';
import { HEALTH_CHECK_PROTOCOLS } from '@cairn/events';

/** JSON has no `undefined`: absent and null both read as null. */
const nullable = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? null);

/**
 * One of a launch's `healthChecks`, as the master fills it (an app's `healthChecks[i]` with
 * Marathon's defaults). The defaults here are Marathon's too, for a master that leaves a field out.
 */
export const healthCheckSpecSchema = z.object({
  protocol: z.enum(HEALTH_CHECK_PROTOCOLS),
  path: nullable(z.string()),
  portIndex: nullable(z.number().int().nonnegative()),
  /** 0 = none (the port comes from portIndex). */
  port: nullable(z.number().int().min(0).max(65_535)),
  /** COMMAND: the shell command (Marathon's `command.value`). */
  command: nullable(z.string()),
  gracePeriodSeconds: z.number().nonnegative().default(300),
  intervalSeconds: z.number().nonnegative().default(60),
  timeoutSeconds: z.number().nonnegative().default(20),
  maxConsecutiveFailures: z.number().int().nonnegative().default(3),
  delaySeconds: z.number().nonnegative().default(15),
  ignoreHttp1xx: z.boolean().default(false),
});
export type HealthCheckSpec = z.infer<typeof healthCheckSpecSchema>;

/** One of a launch's `readinessChecks` (Marathon's `portName` resolved to an index by the master). */
export const readinessCheckSpecSchema = z.object({
  name: z.string().default('readinessCheck'),
  protocol: z.enum(['HTTP', 'HTTPS']),
  path: z.string().default('/'),
  portIndex: z.number().int().nonnegative().default(0),
  intervalSeconds: z.number().nonnegative().default(30),
  timeoutSeconds: z.number().nonnegative().default(10),
  httpStatusCodesForReady: z.array(z.number().int()).default([200]),
});
export type ReadinessCheckSpec = z.infer<typeof readinessCheckSpecSchema>;

/**
 * One of a launch's `fetch` (Marathon's Artifact; defaults are Marathon's too, for a master that
 * leaves a field out). Where it lands in the sandbox is checked when it is fetched.
 */
export const fetchArtifactSchema = z.object({
  uri: z.string().min(1).max(1024),
  extract: z.boolean().default(true),
  executable: z.boolean().default(false),
  cache: z.boolean().default(false),
  destPath: nullable(z.string().min(1)),
});
export type FetchArtifactSpec = z.infer<typeof fetchArtifactSchema>;

/** What the master sends to run a task; it becomes the executor's TaskSpec (launch-spec.ts). */
export const launchTaskSchema = z
  .object({
    taskId: z.string().min(1),
    appId: z.string(),
    appVersion: z.string(),
    command: taskCommandSchema,
    env: z.record(z.string(), z.string()).default({}),
    ports: z.array(z.number().int()).default([]),
    /** JSON has no `undefined`: an unnamed port is null. */
    portNames: z.array(z.string().nullable()).optional(),
    requestedPorts: z.array(z.number().int()).optional(),
    /** The agent's hostname as offered; absent = the agent's own. */
    host: z.string().optional(),
    /** Accounted by the master; the process executor does not enforce them (no cgroups yet). */
    resources: z.unknown().optional(),
    /** null = the app set none (the executor's default applies). */
    killGracePeriodSeconds: z
      .number()
      .nonnegative()
      .nullish()
      .transform((v) => v ?? undefined),
    healthChecks: z.array(healthCheckSpecSchema).default([]),
    readinessChecks: z.array(readinessCheckSpecSchema).default([]),
    /** Downloaded into the sandbox before the command starts (docs/fetch.md); a master before v3 sends none. */
    fetch: z.array(fetchArtifactSchema).default([]),
  })
  // A check that cannot run is refused with the launch (TASK_ERROR), as Mesos's master
  // refuses a task whose health check does not validate: a task that can never be healthy
  // would otherwise be killed and relaunched forever.
  .superRefine((task, context) => {
    task.healthChecks.forEach((check, index) => {
      const problem = checkPortProblem(check, task.ports);
      if (problem) context.addIssue({ code: 'custom', path: ['healthChecks', index], message: problem });
    });
    task.readinessChecks.forEach((check, index) => {
      const problem = readinessPortProblem(check, task.ports);
      if (problem) context.addIssue({ code: 'custom', path: ['readinessChecks', index], message: problem });
    });
  });
export type LaunchTask = z.infer<typeof launchTaskSchema>;

export const agentCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('launch'), task: launchTaskSchema }),
  z.object({
    type: z.literal('kill'),
    taskId: z.string().min(1),
    gracePeriodSeconds: z
      .number()
      .nonnegative()
      .nullish()
      .transform((v) => v ?? undefined),
  }),
  z.object({ type: z.literal('ping') }),
]);
export type AgentCommand = z.infer<typeof agentCommandSchema>;
/** A command as the master may write it (optional fields may be left out): what test masters send. */
export type AgentCommandWire = z.input<typeof agentCommandSchema>;

export type ParsedCommand =
  | { ok: true; command: AgentCommand }
  /** `type` names a command this agent does not know: newer master; skipped. */
  | { ok: false; kind: 'unknown-type'; type: string }
  | { ok: false; kind: 'invalid'; reason: string; taskId?: string };

const KNOWN_COMMAND_TYPES = new Set(['launch', 'kill', 'ping']);

/** Reads one line of the command stream. Never throws. */
export function parseCommandLine(line: string): ParsedCommand {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, kind: 'invalid', reason: `not JSON: ${(error as Error).message}` };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !KNOWN_COMMAND_TYPES.has(type)) return { ok: false, kind: 'unknown-type', type };
  const parsed = agentCommandSchema.safeParse(json);
  if (parsed.success) return { ok: true, command: parsed.data };
  const taskId = (json as { task?: { taskId?: unknown } }).task?.taskId;
  return {
    ok: false,
    kind: 'invalid',
    reason: z.prettifyError(parsed.error),
    ...(typeof taskId === 'string' ? { taskId } : {}),
  };
}

export const TASK_STATE_SCHEMA = z.enum(TASK_STATES);
