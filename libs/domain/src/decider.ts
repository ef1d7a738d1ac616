import type { CairnEvent, EventType } from '@cairn/events';
import type { EventDraft } from './command';
import type { ClusterState, Ownership } from './state';
import { AppCommand } from './apps/app.commands';
import { decideApp, evolveApp } from './apps/app.decider';
import { ClusterCommand } from './cluster/cluster.commands';
import { decideCluster, evolveCluster } from './cluster/cluster.decider';
import { assertWritable } from './cluster/format-gate';
import { AgentCommand } from './agents/agent.commands';
import { decideAgent, evolveAgent } from './agents/agent.decider';
import { TaskCommand } from './tasks/task.commands';
import { decideTaskStatus, evolveTask } from './tasks/task.decider';
import { SchedulerCommand } from './scheduler/scheduler.commands';
import { decideTick } from './scheduler/tick.decider';
import { decideResetLaunchDelay } from './scheduler/launch-delay.decider';
import { decideKillTasks } from './tasks/kill-tasks.decider';
import { evolveOffers } from './scheduler/offers.evolve';
import { DeploymentCommand } from './deployments/deployment.commands';
import { decideDeploymentCommand } from './deployments/deployment-command.decider';
import { evolveDeployment } from './deployments/deployment.decider';
import { evolveCauses } from './causes.evolve';
import { GroupCommand } from './groups/group.commands';
import { decideGroup, evolveGroup } from './groups/group.decider';
import { evolveDrain } from './agents/drain.decider';

/** Every command the sequencer accepts. */
export type Command =
  | AppCommand
  | GroupCommand
  | ClusterCommand
  | AgentCommand
  | TaskCommand
  | SchedulerCommand
  | DeploymentCommand;

/**
 * decide(command, state) -> events: pure. Throws CommandRejected for a command it refuses.
 * A command that changes nothing returns [].
 */
export function decide(command: Command, state: ClusterState): EventDraft[] {
  const drafts = decideCommand(command, state);
  assertWritable(drafts, state.clusterVersion);
  return drafts;
}

function decideCommand(command: Command, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'CreateApp':
    case 'UpdateApp':
    case 'UpdateApps':
    case 'DeleteApp':
      return decideApp(command, state);
    case 'ChangeGroup':
    case 'ScaleGroup':
    case 'DeleteGroup':
      return decideGroup(command, state);
    case 'ElectLeader':
    case 'RecordSnapshot':
    case 'RaiseClusterVersion':
      return decideCluster(command, state);
    case 'RegisterAgent':
    case 'DisconnectAgent':
    case 'DrainAgent':
    case 'ReactivateAgent':
      return decideAgent(command, state);
    case 'ReportTaskStatus':
      return decideTaskStatus(command, state);
    case 'KillTasks':
      return decideKillTasks(command, state);
    case 'Tick':
      return decideTick(command, state);
    case 'ResetLaunchDelay':
      return decideResetLaunchDelay(command, state);
    case 'RestartApp':
    case 'CancelDeployment':
      return decideDeploymentCommand(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/** evolve(state, event) -> state: pure apart from updating `state` in place (see ClusterState). */
export function evolve(state: ClusterState, event: CairnEvent, ownership: Ownership = 'shared'): ClusterState {
  for (const apply of EVOLVERS_BY_TYPE[event.type]) apply(state, event, ownership);
  return state;
}

type Evolver = (state: ClusterState, event: CairnEvent, ownership: Ownership) => void;

/**
 * The evolvers each event type concerns (each evolver's own switch names the same types). A
 * replay applies millions of events: it should not run every evolver's switch for each. Typed by
 * EventType, so a new event type does not compile until it is routed here.
 */
const EVOLVERS_BY_TYPE: Record<EventType, readonly Evolver[]> = {
  LeaderElected: [evolveCluster],
  SnapshotWritten: [evolveCluster],
  AppCreated: [evolveApp, evolveOffers, evolveCauses],
  AppUpdated: [evolveApp, evolveOffers, evolveCauses],
  AppScaled: [evolveApp, evolveOffers, evolveCauses],
  AppDeleted: [evolveApp, evolveOffers, evolveCauses],
  LaunchDelayed: [evolveTask],
  LaunchDelayReset: [evolveTask],
  AgentRegistered: [evolveAgent],
  AgentReregistered: [evolveAgent],
  AgentDisconnected: [evolveAgent],
  AgentUnreachable: [evolveAgent],
  OffersMade: [evolveOffers],
  OfferAccepted: [evolveOffers],
  OfferDeclined: [evolveOffers],
  OffersDeclined: [evolveOffers],
  TaskLaunched: [evolveTask, evolveOffers],
  TaskStatusUpdated: [evolveCauses, evolveTask, evolveOffers],
  TaskKillRequested: [evolveTask],
  TaskUnreachable: [evolveTask],
  TaskUnreachableInactive: [evolveCauses, evolveTask],
  TaskHealthChanged: [evolveTask],
  TaskReadinessChanged: [evolveTask],
  AppRestartRequested: [evolveApp, evolveOffers, evolveCauses],
  DeploymentStarted: [evolveDeployment, evolveOffers],
  DeploymentStepFinished: [evolveDeployment, evolveOffers],
  DeploymentFinished: [evolveDeployment],
  DeploymentCancelled: [evolveDeployment],
  ClusterVersionRaised: [evolveCluster],
  GroupCreated: [evolveGroup],
  GroupUpdated: [evolveGroup],
  GroupDeleted: [evolveGroup],
  AgentDrainStarted: [evolveDrain],
  AgentDrained: [evolveDrain],
  AgentReactivated: [evolveDrain],
};
