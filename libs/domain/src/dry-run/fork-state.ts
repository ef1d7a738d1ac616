import type { ClusterState } from '../state';

/**
 * A copy of the state that a decision can be evolved on without touching `state`: every map and
 * set is copied, the records in them are shared. That is enough because `evolve` in its default
 * `shared` mode never mutates a record, it replaces it (see Ownership in state.ts; a property test
 * holds both modes to the same state), so a record stays as `state` holds it.
 *
 * Cost: one pass over the entries of every map, no record copied (a structured clone of the same
 * state is a deep copy, several times slower). It is still O(state): see docs/marathon-api.md,
 * "Dry run", for the measured figure and the limit.
 */
export function forkState(state: ClusterState): ClusterState {
  return {
    apps: new Map(state.apps),
    agents: new Map(state.agents),
    tasks: new Map(state.tasks),
    appliedUpdateIds: new Set(state.appliedUpdateIds),
    launchDelays: new Map(state.launchDelays),
    offerFilters: new Map(state.offerFilters),
    pendingOffers: new Map(state.pendingOffers),
    queueReasons: new Map(state.queueReasons),
    lastTaskFailure: new Map(state.lastTaskFailure),
    demandCauses: new Map(state.demandCauses),
    tasksLaunched: state.tasksLaunched,
    deployments: new Map(state.deployments),
    deploymentOfApp: new Map(state.deploymentOfApp),
    leader: state.leader,
    lastSnapshot: state.lastSnapshot,
    clusterVersion: state.clusterVersion,
  };
}
