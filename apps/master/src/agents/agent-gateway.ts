import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { ClusterState } from '@cairn/domain';
import type { AgentChannel, AgentCommandMessage } from './agent-channel';

interface Connection {
  readonly channel: AgentChannel;
  /** Where the agent connected from: its files server is reached there. */
  readonly address: string;
  /** The agent answers pings (POST .../pong): its silence can be told from a quiet stream. */
  readonly answersPings: boolean;
  /** When the agent was last heard from (the stream opened, a pong, a status update). */
  lastHeardMs: number;
  /** When the first ping the agent has not answered yet was sent; null when it answered them all. */
  unansweredSinceMs: number | null;
}

/**
 * An agent that answers pings and has not answered one sent this long ago (nor said anything
 * since) is taken for cut off (a network partition drops packets silently: the master's TCP
 * connection would linger for many minutes) and its stream is dropped, so the agent becomes
 * unreachable as if it had disconnected. Three pings (PING_INTERVAL_MS, 5 s) missed; the agent's
 * own idle timeout is 20 s. Counted from the master's first unanswered ping, not from when the
 * agent was last heard: a master that could not ping for a while (its event loop or its tick
 * held up, as at 5,000 agents during a burst of writes) must not take its own silence for theirs.
 */
export const AGENT_SILENCE_MS = 15_000;

/**
 * The live connections to agents: runtime facts, not state (they are not in the log and a new
 * leader starts with none). Sending is level-triggered: when an agent (re)connects it is sent
 * everything the log wants of it (launch of its STAGING tasks, kill of tasks being killed), so a
 * command lost with a broken stream is sent again, and the agent ignores what it already did.
 */
@Injectable()
export class AgentGateway implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AgentGateway');
  private readonly connections = new Map<string, Connection>();

  /** Registers a stream; returns a function that unregisters it (only if it is still current). */
  connect(
    agentId: string,
    channel: AgentChannel,
    address: string,
    state: ClusterState,
    liveness: { answersPings: boolean; nowMs: number } = { answersPings: false, nowMs: 0 },
  ): () => boolean {
    this.connections.get(agentId)?.channel.close();
    const connection: Connection = {
      channel,
      address,
      answersPings: liveness.answersPings,
      lastHeardMs: liveness.nowMs,
      unansweredSinceMs: null,
    };
    this.connections.set(agentId, connection);
    // Its own tasks only (the task table's per-agent index): 5,000 agents connecting must not each walk every task.
    for (const task of state.tasks.onAgent(agentId)) {
      if (task.killRequested) channel.send(killMessage(task.taskId, task.killGracePeriodSeconds));
      else if (task.state === 'TASK_STAGING') channel.send({ type: 'launch', task });
    }
    return () => {
      if (this.connections.get(agentId) !== connection) return false;
      this.connections.delete(agentId);
      return true;
    };
  }

  send(agentId: string, message: AgentCommandMessage): void {
    const connection = this.connections.get(agentId);
    if (!connection) {
      this.logger.warn(`agent ${agentId} is not connected: '${message.type}' waits for its reconnection`);
      return;
    }
    connection.channel.send(message);
  }

  isConnected(agentId: string): boolean {
    return this.connections.has(agentId);
  }

  connectedAgentIds(): string[] {
    return [...this.connections.keys()];
  }

  addressOf(agentId: string): string | undefined {
    return this.connections.get(agentId)?.address;
  }

  /** The agent spoke (a pong, a status update): its stream is alive. */
  heard(agentId: string, nowMs: number): void {
    const connection = this.connections.get(agentId);
    if (!connection) return;
    connection.lastHeardMs = Math.max(connection.lastHeardMs, nowMs);
    connection.unansweredSinceMs = null;
  }

  /**
   * Pings every stream, and drops the streams of agents that answer pings but left one unanswered
   * for AGENT_SILENCE_MS (their end then runs as for any broken stream: DisconnectAgent). Agents
   * that never answer pings (older agents) are only dropped when their connection breaks.
   */
  pingAll(nowMs = 0): void {
    for (const [agentId, connection] of this.connections) {
      const unanswered = connection.unansweredSinceMs;
      if (connection.answersPings && unanswered !== null && nowMs - unanswered > AGENT_SILENCE_MS) {
        this.logger.warn(
          `agent ${agentId} left a ping unanswered for ${nowMs - unanswered} ms (last heard ${nowMs - connection.lastHeardMs} ms ago): dropping its command stream`,
        );
        (connection.channel.drop ?? connection.channel.close).call(connection.channel);
        continue;
      }
      connection.channel.send({ type: 'ping' });
      connection.unansweredSinceMs ??= nowMs;
    }
  }

  /** Ends every agent stream before the server closes (agents then re-register elsewhere). */
  beforeApplicationShutdown(): void {
    this.disconnectAll();
  }

  /** Closes every agent's command stream (shutdown, or this master no longer leads). */
  disconnectAll(): void {
    for (const { channel } of this.connections.values()) channel.close();
    this.connections.clear();
  }
}

export function killMessage(taskId: string, gracePeriodSeconds: number | null): AgentCommandMessage {
  return { type: 'kill', taskId, gracePeriodSeconds };
}
