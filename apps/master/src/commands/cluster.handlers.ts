import { CommandHandler } from '@nestjs/cqrs';
import { SequencedHandler } from './sequenced-handler';
import {
  RegisterAgentCommand,
  DisconnectAgentCommand,
  ReportTaskStatusCommand,
  TickCommand,
  ElectLeaderCommand,
  RecordSnapshotCommand,
  RaiseClusterVersionCommand,
  DrainAgentCommand,
  ReactivateAgentCommand,
} from './cluster.commands';

@CommandHandler(RegisterAgentCommand)
export class RegisterAgentHandler extends SequencedHandler<RegisterAgentCommand> {}
@CommandHandler(DisconnectAgentCommand)
export class DisconnectAgentHandler extends SequencedHandler<DisconnectAgentCommand> {}
@CommandHandler(ReportTaskStatusCommand)
export class ReportTaskStatusHandler extends SequencedHandler<ReportTaskStatusCommand> {}
@CommandHandler(TickCommand)
export class TickHandler extends SequencedHandler<TickCommand> {}
@CommandHandler(ElectLeaderCommand)
export class ElectLeaderHandler extends SequencedHandler<ElectLeaderCommand> {}
@CommandHandler(RecordSnapshotCommand)
export class RecordSnapshotHandler extends SequencedHandler<RecordSnapshotCommand> {}
@CommandHandler(RaiseClusterVersionCommand)
export class RaiseClusterVersionHandler extends SequencedHandler<RaiseClusterVersionCommand> {}
@CommandHandler(DrainAgentCommand)
export class DrainAgentHandler extends SequencedHandler<DrainAgentCommand> {}
@CommandHandler(ReactivateAgentCommand)
export class ReactivateAgentHandler extends SequencedHandler<ReactivateAgentCommand> {}
