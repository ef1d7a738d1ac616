import type { AppDefinition } from '@cairn/events';

/**
 * The whole folded state of a cluster. `evolve` updates it in place (replay of a million events
 * must not copy maps); it is otherwise pure: no I/O, no clock, no randomness, so the same events
 * always give the same state.
 */
export interface ClusterState {
  /** Apps by absolute id. */
  readonly apps: Map<string, AppDefinition>;
  /**
   * Who writes the log now. Not part of the state hash: leadership says who writes, not what
   * the cluster is, and a restart (a new LeaderElected) must not change the hash.
   */
  leader: { instance: string; epoch: number } | null;
}

export function initialState(): ClusterState {
  return { apps: new Map(), leader: null };
}

/** The part of the state that the state hash covers. */
export function hashedView(state: ClusterState): unknown {
  return { apps: state.apps };
}

/** A deep copy, for the sequencer's speculative state after an append failure. */
export function cloneState(state: ClusterState): ClusterState {
  return { apps: structuredClone(state.apps), leader: state.leader && { ...state.leader } };
}
