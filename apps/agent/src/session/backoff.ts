/**
 * Exponential backoff with "equal jitter": half of each delay is fixed, half random, so agents
 * that lost the same master do not come back in lockstep, and no delay is ever near zero.
 *
 *   delay(n) = min(maxMs, initialMs * factor^(n-1)) * (1 - JITTER_SHARE * random())
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const JITTER_SHARE = 0.5;

/** The command stream's reconnect policy (docs/agent-protocol.md §2). */
export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 5_000, factor: 2 };
/** Status update retries (the master was unreachable or not ready). */
export const STATUS_RETRY_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, factor: 2 };

/** `attempt` counts from 1 (the first retry); `random` returns a number in [0, 1). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, exponent));
  return Math.round(base * (1 - JITTER_SHARE * random()));
}
