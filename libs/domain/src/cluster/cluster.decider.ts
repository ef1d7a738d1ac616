import type { CairnEvent } from '@cairn/events';
import { CommandRejected, draft, EventDraft, ROOT } from '../command';
import type { ClusterState } from '../state';
import type { ClusterCommand, ElectLeader, RecordSnapshot } from './cluster.commands';

export function decideCluster(command: ClusterCommand, state: ClusterState): EventDraft[] {
  return command.kind === 'ElectLeader' ? decideElectLeader(command, state) : decideRecordSnapshot(command, state);
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
  const last = state.lastSnapshot;
  if (last && last.offset >= command.offset) return [];
  const { offset, hash, format, bytes } = command;
  return [draft('SnapshotWritten', { offset, hash, format, bytes }, ROOT)];
}

export function evolveCluster(state: ClusterState, event: CairnEvent): void {
  if (event.type === 'LeaderElected') state.leader = { instance: event.data.instance, epoch: event.data.epoch };
  else if (event.type === 'SnapshotWritten') state.lastSnapshot = { offset: event.data.offset, hash: event.data.hash };
}
