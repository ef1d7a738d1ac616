import type { CairnEvent } from '@cairn/events';
import { draft, EventDraft, ROOT } from '../command';
import type { ClusterState } from '../state';
import type { ClusterCommand } from './cluster.commands';

export function decideCluster(command: ClusterCommand, state: ClusterState): EventDraft[] {
  return [draft('LeaderElected', { instance: command.instance, epoch: (state.leader?.epoch ?? 0) + 1 }, ROOT)];
}

export function evolveCluster(state: ClusterState, event: CairnEvent): void {
  if (event.type === 'LeaderElected') state.leader = { instance: event.data.instance, epoch: event.data.epoch };
}
