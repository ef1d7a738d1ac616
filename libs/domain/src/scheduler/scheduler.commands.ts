import type { CommandMeta } from '../command';

/**
 * A tick of the injected clock: decides the time-driven things (agents unreachable after the
 * timeout) and runs one allocation pass when some app waits for resources. Decides nothing
 * (and writes nothing) on an idle cluster.
 */
export interface Tick {
  readonly kind: 'Tick';
  /** Seed for the ids this pass needs (offers, tasks): decided by the caller, recorded in events. */
  readonly seed: string;
  readonly agentUnreachableMs: number;
  /**
   * Runtime facts the decision needs (like the time, decided by the caller): the agents whose
   * command stream is open now, and since when this master leads. An agent the log calls ACTIVE
   * that has not connected to this leader within the timeout (it did not come back after a
   * failover) is unreachable.
   */
  readonly connectedAgentIds: readonly string[];
  readonly leaderSinceMs: number;
  /** Marathon's task_launch_timeout: a task not RUNNING this long after launch is killed (default 300 s). */
  readonly launchTimeoutMs?: number;
  readonly meta: CommandMeta;
}

/** Marathon's DELETE /v2/queue/{id}/delay: the app's next launch is immediate. */
export interface ResetLaunchDelay {
  readonly kind: 'ResetLaunchDelay';
  readonly appId: string;
  readonly meta: CommandMeta;
}

export type SchedulerCommand = Tick | ResetLaunchDelay;
