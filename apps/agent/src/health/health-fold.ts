import { isoTime } from '@cairn/common';
import type { HealthReport } from '../protocol/agent-protocol';

/**
 * One health check's state on the agent: Marathon's `Health` (core/health/Health.scala), folded
 * from probe results. Pure: every time comes in with the result, nothing reads a clock.
 *
 *   alive = lastSuccess > lastFailure           (Marathon's `Health.alive`)
 *
 * Only transitions are reported (docs/health-checks.md): `alive` differs from the verdict last
 * reported (none is reported before the first counted result), or a failure brings
 * `consecutiveFailures` to `maxConsecutiveFailures` (> 0), after which the check is exhausted.
 */
export interface CheckHealth {
  /** Times are ms on the agent's clock. */
  firstSuccess: number | null;
  lastSuccess: number | null;
  lastFailure: number | null;
  lastFailureCause: string | null;
  consecutiveFailures: number;
  /** The `alive` last reported to the master; null before the first report. */
  reported: boolean | null;
}

export const INITIAL_HEALTH: CheckHealth = {
  firstSuccess: null,
  lastSuccess: null,
  lastFailure: null,
  lastFailureCause: null,
  consecutiveFailures: 0,
  reported: null,
};

/** One probe's result, at the time it completed. */
export type CheckResult = { ok: true; at: number } | { ok: false; at: number; cause: string };

export interface HealthRules {
  gracePeriodMs: number;
  /** 0 = never exhausted (failures are reported when alive flips, the task is never given up on). */
  maxConsecutiveFailures: number;
  /** When the task became RUNNING; the grace period counts from here. */
  runningSince: number;
}

export interface HealthStep {
  health: CheckHealth;
  /** The master must hear of this result: a transition. */
  report: boolean;
  /** maxConsecutiveFailures reached: probe no more (the master decides the kill). */
  exhausted: boolean;
}

export function isAlive(health: CheckHealth): boolean {
  return health.lastSuccess !== null && (health.lastFailure === null || health.lastSuccess > health.lastFailure);
}

/**
 * Failures before the first success and within the grace period are not counted (Marathon's
 * `HealthCheckActor.ignoreFailures`, with the time passed in rather than read).
 */
export function ignoresFailure(health: CheckHealth, at: number, rules: HealthRules): boolean {
  return health.firstSuccess === null && at < rules.runningSince + rules.gracePeriodMs;
}

export function isExhausted(health: CheckHealth, rules: HealthRules): boolean {
  return rules.maxConsecutiveFailures > 0 && health.consecutiveFailures >= rules.maxConsecutiveFailures;
}

export function recordResult(health: CheckHealth, result: CheckResult, rules: HealthRules): HealthStep {
  if (!result.ok && ignoresFailure(health, result.at, rules)) return { health, report: false, exhausted: false };
  const next: CheckHealth = result.ok
    ? { ...health, firstSuccess: health.firstSuccess ?? result.at, lastSuccess: result.at, consecutiveFailures: 0 }
    : {
        ...health,
        lastFailure: result.at,
        lastFailureCause: result.cause,
        consecutiveFailures: health.consecutiveFailures + 1,
      };
  const alive = isAlive(next);
  const exhausted = isExhausted(next, rules);
  const reachedMax = !result.ok && next.consecutiveFailures === rules.maxConsecutiveFailures && exhausted;
  const report = alive !== health.reported || reachedMax;
  return { health: report ? { ...next, reported: alive } : next, report, exhausted };
}

/** The wire form (docs/agent-protocol.md §3), times as ISO-8601. */
export function healthReport(checkIndex: number, health: CheckHealth): HealthReport {
  const iso = (ms: number | null) => (ms === null ? null : isoTime(ms));
  return {
    checkIndex,
    alive: isAlive(health),
    consecutiveFailures: health.consecutiveFailures,
    firstSuccess: iso(health.firstSuccess),
    lastSuccess: iso(health.lastSuccess),
    lastFailure: iso(health.lastFailure),
    lastFailureCause: health.lastFailureCause,
  };
}

/** A line for logs and the update's `message`. */
export function describeHealth(label: string, health: CheckHealth, rules: HealthRules): string {
  if (isAlive(health)) return `${label}: healthy`;
  const failures = `${health.consecutiveFailures} consecutive failure${health.consecutiveFailures === 1 ? '' : 's'}`;
  const givenUp = isExhausted(health, rules) ? `, maxConsecutiveFailures ${rules.maxConsecutiveFailures} reached` : '';
  return `${label}: unhealthy (${failures}${givenUp}): ${health.lastFailureCause ?? 'no cause'}`;
}
