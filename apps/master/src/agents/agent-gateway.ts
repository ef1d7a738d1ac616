import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { ClusterState } from '@cairn/domain';
import type { AgentChannel, AgentCommandMessage } from './agent-channel';

interface Connection {
  readonly channel: AgentChannel;
  /** Where the agent connected from: its files server is reached there. */
  readonly address: string;
}

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
  connect(agentId: string, channel: AgentChannel, address: string, state: ClusterState): () => boolean {
    this.connections.get(agentId)?.channel.close();
    const connection = { channel, address };
    this.connections.set(agentId, connection);
    for (const task of state.tasks.values()) {
      if (task.agentId !== agentId) continue;
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

  pingAll(): void {
    for (const { channel } of this.connections.values()) channel.send({ type: 'ping' });
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
