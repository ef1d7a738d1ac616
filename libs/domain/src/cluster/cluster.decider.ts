import type { CairnEvent } from '@cairn/events';
import { CommandRejected, draft, EventDraft, ROOT } from '../command';
import type { ClusterState } from '../state';
import type { ClusterCommand } from './cluster.commands';

/** Epochs only grow: a leader elected for a term the log has already seen is stale and refused. */
export function decideCluster(command: ClusterCommand, state: ClusterState): EventDraft[] {
  const last = state.leader?.epoch ?? 0;
  const epoch = command.term ?? last + 1;
  if (epoch <= last) {
    throw new CommandRejected('conflict', `term ${epoch} is stale: the log already has epoch ${last}`);
  }
  return [draft('LeaderElected', { instance: command.instance, epoch }, ROOT)];
}

export function evolveCluster(state: ClusterState, event: CairnEvent): void {
  if (event.type === 'LeaderElected') state.leader = { instance: event.data.instance, epoch: event.data.epoch };
}
