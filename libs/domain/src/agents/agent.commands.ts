import type { TaskState } from '@cairn/events';
import type { CommandMeta } from '../command';
import type { Resources } from '../resources';

export interface AgentInfo {
  readonly hostname: string;
  readonly filesPort: number;
  readonly resources: Resources;
  readonly attributes: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
}

/** An agent (re-)registers. A new agent gets its id from `newAgentId`, decided by the caller. */
export interface RegisterAgent {
  readonly kind: 'RegisterAgent';
  /** The id the agent checkpointed, absent on its first registration. */
  readonly agentId: string | null;
  readonly newAgentId: string;
  readonly info: AgentInfo;
  /** What runs in its work dir now. */
  readonly tasks: readonly { readonly taskId: string; readonly state: TaskState }[];
  readonly meta: CommandMeta;
}

/** The agent's command stream closed. */
export interface DisconnectAgent {
  readonly kind: 'DisconnectAgent';
  readonly agentId: string;
  readonly meta: CommandMeta;
}

export type AgentCommand = RegisterAgent | DisconnectAgent;
