import { z } from 'zod';
import { TASK_STATES, type TaskState } from './task-state';

/**
 * The agent's side of docs/agent-protocol.md: what it sends (plain types) and what it receives
 * (zod schemas, because a master of another version may send anything). Paths are relative to a
 * master's base URL.
 */
export const REGISTER_PATH = '/internal/v1/agents/register';
export const commandsPath = (agentId: string): string => `/internal/v1/agents/${encodeURIComponent(agentId)}/commands`;
export const statusPath = (agentId: string): string => `/internal/v1/agents/${encodeURIComponent(agentId)}/status`;

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
}

export const statusAnswerSchema = z.object({ ack: z.string() });

const taskCommandSchema = z.union([
  z.object({ shell: z.literal(true), value: z.string() }),
  z.object({ shell: z.literal(false), args: z.array(z.string()) }),
]);

/** What the master sends to run a task; it becomes the executor's TaskSpec (launch-spec.ts). */
export const launchTaskSchema = z.object({
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
