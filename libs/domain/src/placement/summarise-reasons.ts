import { Constraint, constraintLabel } from '../constraints';
import { funnelReason, NoMatchReasonKind, REASON_FUNNEL } from './no-match-reason';

/** One step of Marathon's `rejectSummaryLastOffers`: offers that reached this step, and those it declined. */
export interface RejectStep {
  readonly reason: NoMatchReasonKind;
  /** Unused offers counted under this reason (their first reason in the funnel). */
  readonly declined: number;
  /** Offers still in the funnel at this step: all processed offers minus those declined before it. */
  readonly processed: number;
}

export interface ReasonSummary {
  readonly processedOffersCount: number;
  readonly unusedOffersCount: number;
  /** Unused offers that had each kind among their reasons (an offer counts once per kind, maybe under several kinds). */
  readonly reasonCounts: Record<NoMatchReasonKind, number>;
  /** Each unused offer counted once, under its funnel reason; one step per kind, in REASON_FUNNEL order. */
  readonly rejectSummary: RejectStep[];
  /**
   * The UnfulfilledConstraint part of reasonCounts by constraint, `{ 'hostname:UNIQUE': 2 }`: unused
   * offers whose agent did not meet each constraint (the first unmet one of the app's).
   */
  readonly constraintCounts: Record<string, number>;
}

/**
 * Summarises the offers processed for one app, for `/v2/queue`'s `processedOffersSummary`. Each
 * element is one processed offer's reasons: [] for an offer that was used, else why it was not
 * (`reasonsByApp.get(appId)` of placeTasks). Marathon's funnel (`QueueInfoWithStatistics`):
 *
 *   declined(k)  = unused offers whose first reason in REASON_FUNNEL is k
 *   processed(k) = processedOffersCount - Σ declined(j) for j before k
 */
export function summariseReasons(
  offers: readonly (readonly { readonly reason: NoMatchReasonKind; readonly constraint?: Constraint }[])[],
): ReasonSummary {
  const zero = () => Object.fromEntries(REASON_FUNNEL.map((kind) => [kind, 0])) as Record<NoMatchReasonKind, number>;
  const reasonCounts = zero();
  const declined = zero();
  const constraintCounts: Record<string, number> = {};
  let unusedOffersCount = 0;
  for (const reasons of offers) {
    const first = funnelReason(reasons);
    if (first === undefined) continue;
    unusedOffersCount++;
    declined[first.reason]++;
    for (const kind of new Set(reasons.map((r) => r.reason))) reasonCounts[kind]++;
    const labels = reasons.flatMap((r) => (r.constraint === undefined ? [] : [constraintLabel(r.constraint)]));
    for (const label of new Set(labels)) constraintCounts[label] = (constraintCounts[label] ?? 0) + 1;
  }
  let processed = offers.length;
  const rejectSummary = REASON_FUNNEL.map((reason): RejectStep => {
    const step = { reason, declined: declined[reason], processed };
    processed -= declined[reason];
    return step;
  });
  return { processedOffersCount: offers.length, unusedOffersCount, reasonCounts, rejectSummary, constraintCounts };
}
