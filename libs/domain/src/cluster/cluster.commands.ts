import type { CommandMeta } from '../command';

/** A writer that has fenced its predecessors and read the log to the end claims the next epoch. */
export interface ElectLeader {
  readonly kind: 'ElectLeader';
  readonly instance: string;
  /** The term the election gave it: the new epoch. Absent: the epoch after the log's last. */
  readonly term?: number;
  readonly meta: CommandMeta;
}

export type ClusterCommand = ElectLeader;
