import { CommandHandler } from '@nestjs/cqrs';
import { SequencedCommand, SequencedHandler } from './sequenced-command';

/** An agent (re-)registers. */
export class RegisterAgentCommand extends SequencedCommand<'RegisterAgent'> {}
/** An agent's command stream closed. */
export class DisconnectAgentCommand extends SequencedCommand<'DisconnectAgent'> {}
/** An agent's reliable status update (also health and readiness transitions). */
export class ReportTaskStatusCommand extends SequencedCommand<'ReportTaskStatus'> {}
/** A tick of the scheduler's clock. */
export class TickCommand extends SequencedCommand<'Tick'> {}
/** The writer that finished its start-up claims the next epoch. */
export class ElectLeaderCommand extends SequencedCommand<'ElectLeader'> {}

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
