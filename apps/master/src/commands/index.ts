import {
  CancelDeploymentHandler,
  CreateAppHandler,
  DeleteAppHandler,
  RestartAppHandler,
  UpdateAppHandler,
  UpdateAppsHandler,
  KillTasksHandler,
  ResetLaunchDelayHandler,
  ChangeGroupHandler,
  ScaleGroupHandler,
  DeleteGroupHandler,
} from './app.handlers';
import {
  DisconnectAgentHandler,
  DrainAgentHandler,
  ElectLeaderHandler,
  ReactivateAgentHandler,
  RecordSnapshotHandler,
  RaiseClusterVersionHandler,
  RegisterAgentHandler,
  ReportTaskStatusHandler,
  TickHandler,
} from './cluster.handlers';

/** One handler per command; every one goes to the sequencer through SequencedHandler. */
export const commandHandlers = [
  CreateAppHandler,
  UpdateAppHandler,
  UpdateAppsHandler,
  DeleteAppHandler,
  ChangeGroupHandler,
  ScaleGroupHandler,
  DeleteGroupHandler,
  KillTasksHandler,
  ResetLaunchDelayHandler,
  RestartAppHandler,
  CancelDeploymentHandler,
  RegisterAgentHandler,
  DisconnectAgentHandler,
  ReportTaskStatusHandler,
  TickHandler,
  ElectLeaderHandler,
  RecordSnapshotHandler,
  RaiseClusterVersionHandler,
  DrainAgentHandler,
  ReactivateAgentHandler,
];
export * from './app.commands';
export * from './cluster.commands';
export * from './sequenced-command';
export * from './sequenced-handler';
