import type { CairnEvent } from '@cairn/events';
import type { EventDraft } from './command';
import type { ClusterState } from './state';
import { AppCommand } from './apps/app.commands';
import { decideApp, evolveApp } from './apps/app.decider';
import { ClusterCommand } from './cluster/cluster.commands';
import { decideCluster, evolveCluster } from './cluster/cluster.decider';

/** Every command the sequencer accepts. */
export type Command = AppCommand | ClusterCommand;

/**
 * decide(command, state) -> events: pure. Throws CommandRejected for a command it refuses.
 * A command that changes nothing returns [].
 */
export function decide(command: Command, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'CreateApp':
    case 'UpdateApp':
    case 'DeleteApp':
      return decideApp(command, state);
    case 'ElectLeader':
      return decideCluster(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/** evolve(state, event) -> state: pure apart from updating `state` in place (see ClusterState). */
export function evolve(state: ClusterState, event: CairnEvent): ClusterState {
  evolveApp(state, event);
  evolveCluster(state, event);
  return state;
}
