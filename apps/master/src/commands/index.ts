import {
  CancelDeploymentHandler,
  CreateAppHandler,
  DeleteAppHandler,
  RestartAppHandler,
  UpdateAppHandler,
} from './app.handlers';
import {
  DisconnectAgentHandler,
  ElectLeaderHandler,
  RegisterAgentHandler,
  ReportTaskStatusHandler,
  TickHandler,
} from './cluster.handlers';

/** One handler per command; every one goes to the sequencer through SequencedHandler. */
export const commandHandlers = [
  CreateAppHandler,
  UpdateAppHandler,
  DeleteAppHandler,
  RestartAppHandler,
  CancelDeploymentHandler,
  RegisterAgentHandler,
  DisconnectAgentHandler,
  ReportTaskStatusHandler,
  TickHandler,
  ElectLeaderHandler,
];
export * from './app.commands';
export * from './cluster.commands';
export * from './sequenced-command';
export * from './sequenced-handler';
