import type { TaskLaunchedData } from '@cairn/events';

/** What the leader tells an agent, one JSON line each on its command stream (docs/agent-protocol.md). */
export type AgentCommandMessage =
  /** The launch as decided; its placement record stays in the log (the agent has no use for it). */
  | { type: 'launch'; task: Omit<TaskLaunchedData, 'placement'> }
  | { type: 'kill'; taskId: string; gracePeriodSeconds: number | null }
  | { type: 'ping' };

/**
 * The agent port: how the master reaches one agent. HTTP streams implement it in production;
 * the simulator plugs in an in-memory one. `send` never blocks the caller.
 */
export interface AgentChannel {
  send(message: AgentCommandMessage): void;
  close(): void;
  /**
   * Cuts the connection at once, without waiting for the agent (a silent agent: a partition swallows
   * a graceful close). Its end is then noticed as any broken stream is. Default: close().
   */
  drop?(): void;
}
