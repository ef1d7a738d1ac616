import { SequencedCommand } from './sequenced-command';

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
/** The leader records a snapshot it stored. */
export class RecordSnapshotCommand extends SequencedCommand<'RecordSnapshot'> {}
/** An operator raises the cluster's event format level (POST /v1/cluster/version). */
export class RaiseClusterVersionCommand extends SequencedCommand<'RaiseClusterVersion'> {}
/** An operator drains an agent (POST /v1/agents/{id}/drain). */
export class DrainAgentCommand extends SequencedCommand<'DrainAgent'> {}
/** An operator ends an agent's maintenance (POST /v1/agents/{id}/reactivate). */
export class ReactivateAgentCommand extends SequencedCommand<'ReactivateAgent'> {}
