import type { Clock } from '@cairn/common';
import { parseResources } from '@cairn/domain/resources';
import type { Logger } from 'pino';
import { AgentError } from '../agent-errors';
import type { WireResources } from '../protocol/agent-protocol';

/** What `startSimulatedAgents` takes. */
export interface SimulatedAgentsOptions {
  /**
   * The master's base URL (the leader, or a standby that redirects), or several tried in turn as
   * a process agent's `--master` list.
   */
  masterUrl: string | readonly string[];
  /** How many agents. */
  count: number;
  /** The cluster's agent token (CAIRN_AGENT_TOKEN); undefined sends none. */
  token: string | undefined;
  /** Each agent's resources, Mesos text: 'cpus:100;mem:100000;ports:[31000-32000]' (disk defaults to 0). */
  resources: string;
  /** Agent i (from 1) registers as `<hostnamePrefix>-<i>`. */
  hostnamePrefix: string;
  /** Launch → TASK_RUNNING. */
  runUpMs: number;
  /** TASK_RUNNING → TASK_FINISHED (or TASK_FAILED); absent: tasks run until killed. */
  runTimeMs?: number;
  /** Share of tasks in [0, 1] that end TASK_FAILED (exit 1); default 0. See task-fate.ts. */
  failureRate?: number;
  /**
   * TASK_RUNNING → a task's health checks report alive:true (and its readiness checks ready);
   * default 0. Tasks without checks report nothing. See simulated-checks.ts.
   */
  healthyAfterMs?: number;
  /**
   * Share of tasks in [0, 1] whose health checks instead report alive:false (after healthyAfterMs),
   * then fail every intervalSeconds until maxConsecutiveFailures; default 0.
   */
  unhealthyRate?: number;
  /** Decides which tasks fail (with the task ids) and the retry jitter. */
  seed: string | number;
  attributes?: Record<string, string>;
  /** Connections for registrations and status updates, shared by all agents; default 64. */
  maxSockets?: number;
  /** Every agent's first command stream must be open within this long; default 30 s (at most MAX_READY_TIMEOUT_MS). */
  readyTimeoutMs?: number;
  /** Stops waiting for the agents to connect (they are closed, and the start rejects). */
  signal?: AbortSignal;
  clock?: Clock;
  /** Default: pino on stderr at `logLevel`, else CAIRN_LOG_LEVEL, else 'warn' (a hundred agents' info lines are noise). */
  logger?: Logger;
  logLevel?: string;
}

/** A bad option, agents that could not all connect in time, or a refused token. */
export class SimulatedAgentsError extends AgentError {
  constructor(readonly details: { reason: string; [key: string]: unknown }) {
    super(`simulated agents: ${details.reason}`, details);
  }
}

export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** The longest timer a clock can set (setTimeout's limit, about 24.8 days): "wait for as long as it takes". */
export const MAX_READY_TIMEOUT_MS = 2 ** 31 - 1;

/** Checks the options; returns the resources in wire form. Throws SimulatedAgentsError. */
export function checkSimulatedOptions(options: SimulatedAgentsOptions): WireResources {
  checkRates(options);
  const fail = (reason: string): never => {
    throw new SimulatedAgentsError({ reason });
  };
  if (!Number.isInteger(options.count) || options.count < 1)
    fail(`count must be a positive integer, got ${options.count}`);
  if (!(options.runUpMs >= 0)) fail(`runUpMs must be >= 0, got ${options.runUpMs}`);
  if (options.runTimeMs !== undefined && !(options.runTimeMs >= 0)) {
    fail(`runTimeMs must be >= 0, got ${options.runTimeMs}`);
  }
  const failureRate = options.failureRate ?? 0;
  if (!(failureRate >= 0 && failureRate <= 1)) fail(`failureRate must be in [0, 1], got ${failureRate}`);
  if (
    options.readyTimeoutMs !== undefined &&
    !(options.readyTimeoutMs >= 0 && options.readyTimeoutMs <= MAX_READY_TIMEOUT_MS)
  ) {
    fail(`readyTimeoutMs must be in [0, ${MAX_READY_TIMEOUT_MS}], got ${options.readyTimeoutMs}`);
  }
  if (options.maxSockets !== undefined && !(Number.isInteger(options.maxSockets) && options.maxSockets >= 1)) {
    fail(`maxSockets must be a positive integer, got ${options.maxSockets}`);
  }
  if (options.hostnamePrefix.trim() === '') fail('hostnamePrefix must not be empty');
  const masters = masterUrlsOf(options);
  if (masters.length === 0) fail('masterUrl names no master');
  for (const url of masters) {
    try {
      new URL(url);
    } catch {
      fail(`masterUrl '${url}' is not a URL`);
    }
  }
  let parsed;
  try {
    parsed = parseResources(options.resources);
  } catch (error) {
    return fail(`resources: ${(error as Error).message}`);
  }
  return {
    cpus: parsed.cpus,
    mem: parsed.mem,
    disk: parsed.disk,
    ports: parsed.ports.map(([begin, end]): [number, number] => [begin, end]),
  };
}

/** The master URLs, without trailing slashes. */
export function masterUrlsOf(options: Pick<SimulatedAgentsOptions, 'masterUrl'>): string[] {
  const urls: readonly string[] = typeof options.masterUrl === 'string' ? [options.masterUrl] : options.masterUrl;
  return urls.map((url) => url.replace(/\/+$/, ''));
}

function checkRates(options: SimulatedAgentsOptions): void {
  const unhealthyRate = options.unhealthyRate ?? 0;
  if (!(unhealthyRate >= 0 && unhealthyRate <= 1)) {
    throw new SimulatedAgentsError({ reason: `unhealthyRate must be in [0, 1], got ${unhealthyRate}` });
  }
  const healthyAfterMs = options.healthyAfterMs ?? 0;
  if (!(healthyAfterMs >= 0 && Number.isFinite(healthyAfterMs))) {
    throw new SimulatedAgentsError({ reason: `healthyAfterMs must be >= 0, got ${healthyAfterMs}` });
  }
}
