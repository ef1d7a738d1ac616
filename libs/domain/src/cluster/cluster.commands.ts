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

/**
 * The operator raises the cluster's event format level (POST /v1/cluster/version) once every
 * master runs a release that reads it. Decided by the leader, which refuses a level above its own.
 */
export interface RaiseClusterVersion {
  readonly kind: 'RaiseClusterVersion';
  readonly version: number;
  /** The leader deciding it (`host:port`), recorded in the event. */
  readonly instance: string;
  readonly meta: CommandMeta;
}

export type ClusterCommand = ElectLeader | RecordSnapshot | RaiseClusterVersion;
