import { EVENT_FORMAT_LEVEL, formatLevelOf, type CairnEvent } from '@cairn/events';
import { CommandRejected, draft, EventDraft, ROOT } from '../command';
import type { ClusterState } from '../state';
import type { ClusterCommand, ElectLeader, RaiseClusterVersion, RecordSnapshot } from './cluster.commands';

export function decideCluster(command: ClusterCommand, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'ElectLeader':
      return decideElectLeader(command, state);
    case 'RecordSnapshot':
      return decideRecordSnapshot(command, state);
    case 'RaiseClusterVersion':
      return decideRaise(command, state);
  }
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
  // The root of its own chain, like LeaderElected: no recorded request or event causes it.
  return [draft('ClusterVersionRaised', { version, previous: state.clusterVersion, leader: command.instance }, ROOT)];
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

/**
 * A snapshot is recorded once, and never one older than the last recorded (two leaders' snapshot
 * writers may race across a handover; the log keeps the newest).
 */
function decideRecordSnapshot(command: RecordSnapshot, state: ClusterState): EventDraft[] {
  // Below the level that introduced it, the snapshot stays unrecorded (stored all the same).
  if (state.clusterVersion < formatLevelOf('SnapshotWritten', 1)) return [];
  const last = state.lastSnapshot;
  if (last && last.offset >= command.offset) return [];
  const { offset, hash, format, bytes } = command;
  return [draft('SnapshotWritten', { offset, hash, format, bytes }, ROOT)];
}

export function evolveCluster(state: ClusterState, event: CairnEvent): void {
  if (event.type === 'LeaderElected') state.leader = { instance: event.data.instance, epoch: event.data.epoch };
  else if (event.type === 'SnapshotWritten') state.lastSnapshot = { offset: event.data.offset, hash: event.data.hash };
  else if (event.type === 'ClusterVersionRaised') state.clusterVersion = event.data.version;
}
