import type { CommandMeta } from '../command';

/** A writer that has fenced its predecessors and read the log to the end claims the next epoch. */
export interface ElectLeader {
  readonly kind: 'ElectLeader';
  readonly instance: string;
  /** The term the election gave it: the new epoch. Absent: the epoch after the log's last. */
  readonly term?: number;
  readonly meta: CommandMeta;
}

/** The leader stored a snapshot of the state at `offset` and records it in the log. */
export interface RecordSnapshot {
  readonly kind: 'RecordSnapshot';
  readonly offset: number;
  readonly hash: string;
  readonly format: number;
  readonly bytes: number;
  readonly meta: CommandMeta;
}

export type ClusterCommand = ElectLeader | RecordSnapshot;
