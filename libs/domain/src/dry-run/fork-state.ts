import type { ClusterState } from '../state';
import { CopyOnWriteMap, CopyOnWriteSet } from './copy-on-write';

/**
 * A fork of the state that a decision can be evolved on without touching `state`: every map and
 * set is a copy-on-write overlay of the original's (O(1) to make, O(changes) to change), and the
 * records are shared. Sharing them is enough because `evolve` in its default `shared` mode never
 * mutates a record, it replaces it (see Ownership in state.ts; a property test holds both modes to
 * the same state). `state` must not change while the fork is used: a dry run is one synchronous
 * decision. A new field of ClusterState does not compile here until it is forked too.
 */
export function forkState(state: ClusterState): ClusterState {
  // The fork's app table counts the fork's tasks (its shortfall index follows the fork's changes).
  const tasks = state.tasks.fork();
  return {
    apps: state.apps.fork(tasks),
    groups: new CopyOnWriteMap(state.groups),
    agents: state.agents.fork(),
    tasks,
    appliedUpdateIds: new CopyOnWriteSet(state.appliedUpdateIds),
    launchDelays: new CopyOnWriteMap(state.launchDelays),
    offerFilters: new CopyOnWriteMap(state.offerFilters),
    pendingOffers: new CopyOnWriteMap(state.pendingOffers),
    queueReasons: new CopyOnWriteMap(state.queueReasons),
    lastTaskFailure: new CopyOnWriteMap(state.lastTaskFailure),
    demandCauses: new CopyOnWriteMap(state.demandCauses),
    tasksLaunched: state.tasksLaunched,
    deployments: new CopyOnWriteMap(state.deployments),
    deploymentOfApp: new CopyOnWriteMap(state.deploymentOfApp),
    leader: state.leader,
    lastSnapshot: state.lastSnapshot,
    clusterVersion: state.clusterVersion,
  };
}
