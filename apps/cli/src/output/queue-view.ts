import { formatAge } from './task-view';
import { NONE, numberOr, record, text } from './view-values';

/**
 * How Marathon's launch queue (/v2/queue) reads in a terminal: per app, how many instances
 * wait, the launch delay (backoff) left, and why recent offers were declined.
 */
export type ApiQueueItem = Record<string, unknown>;

export const QUEUE_COLUMNS = ['APP', 'WAITING', 'DELAY', 'SINCE', 'UNUSED OFFERS', 'DECLINED BY'] as const;

/** `nowMs` is the CLI's wall clock, passed in so the view stays pure. */
export function queueRow(item: ApiQueueItem, nowMs: number): string[] {
  const summary = record(item.processedOffersSummary);
  const processed = numberOr(summary.processedOffersCount);
  const unused = numberOr(summary.unusedOffersCount);
  return [
    text(record(item.app).id),
    text(item.count),
    delayOf(item.delay),
    sinceAge(item.since, nowMs),
    processed === undefined ? NONE : `${unused ?? 0} of ${processed}`,
    declinedBy(summary.rejectSummaryLastOffers),
  ];
}

/** Time left of the launch backoff; `-` once it is over (Marathon's `overdue`: launch at the next fitting offer). */
function delayOf(delay: unknown): string {
  const { timeLeftSeconds, overdue } = record(delay);
  const left = numberOr(timeLeftSeconds);
  if (overdue === true || left === undefined || left <= 0) return NONE;
  return formatAge(left * 1_000);
}

function sinceAge(since: unknown, nowMs: number): string {
  const ms = typeof since === 'string' ? Date.parse(since) : NaN;
  return Number.isNaN(ms) ? text(since) : formatAge(nowMs - ms);
}

/** The funnel's steps that declined offers, in its order: `InsufficientCpus 3, UnfulfilledConstraint 1`. */
function declinedBy(steps: unknown): string {
  if (!Array.isArray(steps)) return NONE;
  const declined = steps
    .map(record)
    .filter((step) => (numberOr(step.declined) ?? 0) > 0)
    .map((step) => `${text(step.reason)} ${text(step.declined)}`);
  return declined.length > 0 ? declined.join(', ') : NONE;
}
