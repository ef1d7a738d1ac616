import type { EventType } from './catalogue';

/**
 * Event format levels: how a cluster upgrades without a master ever meeting an event it cannot
 * read (docs/operations.md, "Upgrades").
 *
 * Every (type, version) of the catalogue belongs to the level that introduced it. A master reads
 * every level up to EVENT_FORMAT_LEVEL. The cluster's version (`ClusterVersionRaised`, folded into
 * the state as `clusterVersion`, 1 for a log that never raised it) is the level every master of the
 * cluster has agreed to read: the leader writes an event only when its level is at most the
 * cluster version (the gate in libs/domain/src/cluster/format-gate.ts), and the version is raised
 * by an operator once every master runs a release that reads it.
 *
 * Adding an event type, or a new version of one, is therefore three edits: the schema in the
 * catalogue, its level here (EVENT_FORMAT_LEVEL + 1), and EVENT_FORMAT_LEVEL itself.
 */
export const EVENT_FORMAT_LEVEL = 3;

/**
 * The cluster version of a log with no ClusterVersionRaised: level 1, every type before levels
 * existed. (A brand-new log is raised to its first leader's EVENT_FORMAT_LEVEL at once: MasterRuntime.)
 */
export const INITIAL_CLUSTER_VERSION = 1;

/**
 * The level that introduced each (type, version) after level 1. Absent: level 1 (the 26 types,
 * and their older versions, that existed when levels were introduced).
 */
export const INTRODUCED_AT_LEVEL: Readonly<Partial<Record<EventType, Readonly<Record<number, number>>>>> = {
  // Level 2: the cluster version itself. A master of level 1 stops at this event, which is why
  // it is written only when every master reads level 2 (raising to 2 says exactly that).
  ClusterVersionRaised: { 1: 2 },
  // Level 2: snapshots recorded in the log. Below it the leader still stores snapshots (they speed
  // up every start) but does not record them.
  SnapshotWritten: { 1: 2 },
  // Level 3: groups (/v2/groups). Until the cluster reads level 3, group commands are refused.
  // From level 3 a DeploymentStepFinished also revives offers (libs/domain offers.evolve.ts): a
  // master of level 2 would fold it differently, which is why that waits for the raise too; so
  // does the bound of remembered status update ids growing with the tasks (state.ts).
  GroupCreated: { 1: 3 },
  GroupUpdated: { 1: 3 },
  GroupDeleted: { 1: 3 },
  // Level 3: agent maintenance (drain). Below it POST /v1/agents/{id}/drain is refused (409).
  AgentDrainStarted: { 1: 3 },
  AgentDrained: { 1: 3 },
  AgentReactivated: { 1: 3 },
  // Level 3: one OffersDeclined per allocation pass instead of an OfferDeclined per offer.
  OffersDeclined: { 1: 3 },
};

/** The format level a reader needs for this (type, version). */
export function formatLevelOf(type: EventType, v: number): number {
  return INTRODUCED_AT_LEVEL[type]?.[v] ?? INITIAL_CLUSTER_VERSION;
}
