import { SeededRandom, SystemClock } from '@cairn/common';
import type { Logger } from 'pino';
import { AgentTokenRefusedError } from '../agent-errors';
import { createAgentLogger } from '../logging/agent-logger';
import { SimulatedAgent } from './simulated-agent';
import {
  checkSimulatedOptions,
  DEFAULT_READY_TIMEOUT_MS,
  masterUrlsOf,
  SimulatedAgentsError,
  type SimulatedAgentsOptions,
} from './simulated-options';
import { DEFAULT_SIMULATOR_MAX_SOCKETS, SimulatorMasterClient } from './simulator-master-client';

/** Counts over all simulated agents, since they started. */
/** Every count at zero (what a sum of several fleets' stats starts from). */
export function noSimulatedAgentsStats(): SimulatedAgentsStats {
  return {
    agents: 0,
    connected: 0,
    registrations: 0,
    launched: 0,
    running: 0,
    finished: 0,
    failed: 0,
    killed: 0,
    tasksHealthy: 0,
    tasksUnhealthy: 0,
    updatesAcked: 0,
    updatesDropped: 0,
    updatesPending: 0,
  };
}

export interface SimulatedAgentsStats {
  agents: number;
  /** Agents holding an open command stream now. */
  connected: number;
  /** Register answers received (more than `agents` after reconnects). */
  registrations: number;
  /** Launch commands that started a task (a repeated launch of a task id is not counted). */
  launched: number;
  /** Tasks past their run-up and not ended. */
  running: number;
  finished: number;
  failed: number;
  killed: number;
  /** Tasks whose health checks reported alive:true, and tasks whose checks reported alive:false. */
  tasksHealthy: number;
  tasksUnhealthy: number;
  /** Status updates the master acked, dropped (refused with 409/400/422), still waiting. */
  updatesAcked: number;
  updatesDropped: number;
  updatesPending: number;
}

export interface SimulatedAgents {
  /** Stops every agent (streams closed, timers cancelled); the master sees them disconnect. */
  close(): Promise<void>;
  /** The ids the master gave, in agent order (agents not registered yet are left out). */
  agentIds(): string[];
  stats(): SimulatedAgentsStats;
}

/**
 * Starts `count` simulated agents in this process, each speaking the real agent protocol
 * (docs/agent-protocol.md) to the master with the agent token, and resolves once every one holds
 * an open command stream. Rejects (after stopping them) on a bad option, a refused token
 * (`details.tokenRefused`), when they are not all connected within `readyTimeoutMs`, or when
 * `signal` aborts first (`details.aborted`).
 */
export async function startSimulatedAgents(options: SimulatedAgentsOptions): Promise<SimulatedAgents> {
  const resources = checkSimulatedOptions(options);
  const clock = options.clock ?? new SystemClock();
  const logger: Logger =
    options.logger ??
    createAgentLogger(options.logLevel ?? process.env.CAIRN_LOG_LEVEL ?? 'warn').child({
      component: 'simulated-agents',
    });
  const seed = String(options.seed);
  const masters = masterUrlsOf(options);
  const masterUrl = masters.join(', ');
  const client = new SimulatorMasterClient({
    token: options.token,
    clock,
    maxSockets: options.maxSockets ?? DEFAULT_SIMULATOR_MAX_SOCKETS,
  });
  let fatal: Error | undefined;
  let onFatal: (error: Error) => void = () => undefined;
  const fatalSeen = new Promise<never>((_, reject) => {
    onFatal = (error) => {
      fatal ??= error;
      reject(error);
    };
  });
  fatalSeen.catch(() => undefined);

  const agents = Array.from({ length: options.count }, (_, i) => {
    const hostname = `${options.hostnamePrefix}-${i + 1}`;
    const jitter = new SeededRandom(`${seed}:jitter:${i + 1}`);
    return new SimulatedAgent({
      masters,
      hostname,
      resources,
      attributes: options.attributes ?? {},
      client,
      clock,
      logger: logger.child({ hostname }),
      fate: {
        seed,
        runUpMs: options.runUpMs,
        runTimeMs: options.runTimeMs,
        failureRate: options.failureRate ?? 0,
        unhealthyRate: options.unhealthyRate ?? 0,
      },
      healthyAfterMs: options.healthyAfterMs ?? 0,
      random: () => jitter.next(),
      onFatal,
    });
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all(agents.map((agent) => agent.stop()));
      client.close();
      logger.flush();
    })());

  for (const agent of agents) agent.start();
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let cancelTimeout: () => void = () => undefined;
  let stopWaiting: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    const signal = options.signal;
    if (!signal) return;
    const onAbort = () =>
      reject(new SimulatedAgentsError({ reason: 'stopped before every agent connected', masterUrl, aborted: true }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stopWaiting = () => signal.removeEventListener('abort', onAbort);
  });
  aborted.catch(() => undefined);
  try {
    await Promise.race([
      client.whenOpen(agents.length),
      fatalSeen,
      aborted,
      new Promise<never>((_, reject) => {
        cancelTimeout = clock.setTimer(readyTimeoutMs, () =>
          reject(
            new SimulatedAgentsError({
              reason: `${client.openStreams()} of ${agents.length} agents connected to ${masterUrl} within ${readyTimeoutMs} ms`,
              masterUrl,
            }),
          ),
        );
      }),
    ]);
  } catch (error) {
    await close();
    if (error === fatal) {
      throw new SimulatedAgentsError({
        reason: (error as Error).message,
        masterUrl,
        tokenRefused: error instanceof AgentTokenRefusedError,
      });
    }
    throw error;
  } finally {
    cancelTimeout();
    stopWaiting();
  }

  return {
    close,
    agentIds: () => agents.flatMap((agent) => (agent.agentId === undefined ? [] : [agent.agentId])),
    stats: () => {
      const stats: SimulatedAgentsStats = {
        ...noSimulatedAgentsStats(),
        agents: agents.length,
        connected: client.openStreams(),
      };
      for (const agent of agents) {
        const counts = agent.executor.counts;
        stats.registrations += agent.registrations;
        stats.launched += counts.launched;
        stats.running += counts.running;
        stats.finished += counts.finished;
        stats.failed += counts.failed;
        stats.killed += counts.killed;
        stats.tasksHealthy += agent.checks.counts.healthy;
        stats.tasksUnhealthy += agent.checks.counts.unhealthy;
        stats.updatesAcked += agent.acked;
        stats.updatesDropped += agent.dropped;
        stats.updatesPending += agent.queue.pendingCount();
      }
      return stats;
    },
  };
}
