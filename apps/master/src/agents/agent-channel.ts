import type { TaskLaunchedData } from '@cairn/events';

/** What the leader tells an agent, one JSON line each on its command stream (docs/agent-protocol.md). */
export type AgentCommandMessage =
  | { type: 'launch'; task: TaskLaunchedData }
  | { type: 'kill'; taskId: string; gracePeriodSeconds: number | null }
  | { type: 'ping' };

/**
 * The agent port: how the master reaches one agent. HTTP streams implement it in production;
 * the simulator plugs in an in-memory one. `send` never blocks the caller.
 */
export interface AgentChannel {
  send(message: AgentCommandMessage): void;
  close(): void;
}
