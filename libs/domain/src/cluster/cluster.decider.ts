import { EVENT_FORMAT_LEVEL, type CairnEvent } from '@cairn/events';
import { CommandRejected, draft, EventDraft, ROOT } from '../command';
import type { ClusterState } from '../state';
import type { ClusterCommand, ElectLeader, RaiseClusterVersion } from './cluster.commands';

export function decideCluster(command: ClusterCommand, state: ClusterState): EventDraft[] {
  return command.kind === 'ElectLeader' ? decideElectLeader(command, state) : decideRaise(command, state);
}

/**
 * The cluster version only goes up, and never above what this leader reads (EVENT_FORMAT_LEVEL):
 * a leader that wrote a level it cannot read would stop at its own event. Asking for the version
 * the cluster already has (or a lower one) changes nothing.
 */
function decideRaise(command: RaiseClusterVersion, state: ClusterState): EventDraft[] {
  const { version } = command;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new CommandRejected('invalid', `cluster version must be a positive integer, got ${version}`);
  }
  if (version > EVENT_FORMAT_LEVEL) {
    throw new CommandRejected(
      'conflict',
      `cannot raise the cluster version to ${version}: the leader ${command.instance} reads event format level ` +
        `${EVENT_FORMAT_LEVEL} at most (upgrade it, and every other master, first)`,
    );
  }
  if (version <= state.clusterVersion) return [];
  return [draft('ClusterVersionRaised', { version, previous: state.clusterVersion, leader: command.instance })];
}

/** Epochs only grow: a leader elected for a term the log has already seen is stale and refused. */
function decideElectLeader(command: ElectLeader, state: ClusterState): EventDraft[] {
  const last = state.leader?.epoch ?? 0;
  const epoch = command.term ?? last + 1;
  if (epoch <= last) {
    throw new CommandRejected('conflict', `term ${epoch} is stale: the log already has epoch ${last}`);
  }
  return [draft('LeaderElected', { instance: command.instance, epoch }, ROOT)];
}

export function evolveCluster(state: ClusterState, event: CairnEvent): void {
  if (event.type === 'LeaderElected') state.leader = { instance: event.data.instance, epoch: event.data.epoch };
  else if (event.type === 'ClusterVersionRaised') state.clusterVersion = event.data.version;
}
