import type { CommandMeta } from '../command';

/** A writer that has fenced its predecessors and read the log to the end claims the next epoch. */
export interface ElectLeader {
  readonly kind: 'ElectLeader';
  readonly instance: string;
  readonly meta: CommandMeta;
}

export type ClusterCommand = ElectLeader;
