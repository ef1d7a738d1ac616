import type { Constraint } from '../constraints';

/**
 * Why an offer did not fit a task, after Marathon's `mesos/NoOfferMatchReason.scala`. Every reason
 * keeps its numbers (kubernetes `noderesources/fit.go` keeps `requested/used/capacity`), so a
 * reader of `/v2/queue` sees by how much an offer fell short, not only that it did.
 */
export const REASON_FUNNEL = [
  // The order Marathon's `reasonFunnel` gives its reasons, with Cairn's UnsupportedContainer placed
  // among the agent-level reasons: when an offer fails for several reasons, the first of these is
  // the one `/v2/queue` counts it under (a mismatch of kind before a shortage of amount).
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'UnsupportedContainer',
  'NoCorrespondingReservationFound',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
] as const;

/**
 * Every kind `/v2/queue` lists. fitTask produces the scalar, port and container kinds, placeTasks
 * the constraint kind; roles, reservations and gpus are listed so the summary has Marathon's shape
 * and the matchers that come later add their reasons without changing it.
 */
export type NoMatchReasonKind = (typeof REASON_FUNNEL)[number];

/** An offer holds less of a scalar than the task asks for (amounts in cores or MB, three decimals). */
export interface ScalarShortage {
  readonly reason: 'InsufficientCpus' | 'InsufficientMemory' | 'InsufficientDisk';
  readonly requested: number;
  readonly available: number;
}

/** Too few free ports, or a required port (requirePorts) that the offer does not hold. */
export interface PortShortage {
  readonly reason: 'InsufficientPorts';
  /** How many ports the task needs. */
  readonly requested: number;
  /** How many ports the offer holds. */
  readonly available: number;
  /** Required ports that are not in the offer (or asked for twice); [] when only the count falls short. */
  readonly unavailablePorts: readonly number[];
}

/** The task's container type is not among the agent's capabilities. */
export interface ContainerMismatch {
  readonly reason: 'UnsupportedContainer';
  readonly requested: string;
  readonly available: readonly string[];
}

/** The offer's agent does not meet one of the app's placement constraints (the first unmet, in the app's order). */
export interface ConstraintMismatch {
  readonly reason: 'UnfulfilledConstraint';
  /** As the app defines it, e.g. `['hostname', 'UNIQUE']`. */
  readonly constraint: Constraint;
  /** The agent's value for the constraint's field; absent when the agent has no such field. */
  readonly value?: string;
  /** How many of the app's instances already run where the field has that value (this offer's launches included). */
  readonly placedWithValue: number;
}

export type NoMatchReason = ScalarShortage | PortShortage | ContainerMismatch | ConstraintMismatch;

const FUNNEL_RANK = new Map<NoMatchReasonKind, number>(REASON_FUNNEL.map((kind, rank) => [kind, rank]));

/** The one reason an unmatched offer is counted under: the first of its reasons in REASON_FUNNEL. */
export function funnelReason<R extends { readonly reason: NoMatchReasonKind }>(reasons: readonly R[]): R | undefined {
  let first: R | undefined;
  for (const reason of reasons) {
    if (first === undefined || FUNNEL_RANK.get(reason.reason)! < FUNNEL_RANK.get(first.reason)!) first = reason;
  }
  return first;
}
