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

/**
 * POST /v1/agents/{id}/drain (Mesos's DRAIN_AGENT, Nomad's node drain): the agent leaves placement
 * and a deployment moves its tasks elsewhere within each app's `upgradeStrategy`.
 */
export interface DrainAgent {
  readonly kind: 'DrainAgent';
  readonly agentId: string;
  /** Seconds from now after which what still runs there is killed; null: no deadline. */
  readonly deadlineSeconds: number | null;
  /** Cancel the deployments that lock the agent's apps instead of refusing (409). */
  readonly force: boolean;
  readonly meta: CommandMeta;
}

/** POST /v1/agents/{id}/reactivate (Mesos's REACTIVATE_AGENT): placement may use the agent again. */
export interface ReactivateAgent {
  readonly kind: 'ReactivateAgent';
  readonly agentId: string;
  readonly meta: CommandMeta;
}

export type AgentCommand = RegisterAgent | DisconnectAgent | DrainAgent | ReactivateAgent;
