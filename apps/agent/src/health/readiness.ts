import type { ReadinessCheckSpec, ReadinessReport } from '../protocol/agent-protocol';
import type { ReadinessOutcome } from './probe';

/**
 * The report of a probe that found the task ready (its status is one of httpStatusCodesForReady),
 * or null: not ready, nothing to report (only the change to ready is sent, once).
 */
export function readinessReady(check: ReadinessCheckSpec, outcome: ReadinessOutcome): ReadinessReport | null {
  if (outcome.kind !== 'response' || !check.httpStatusCodesForReady.includes(outcome.status)) return null;
  return {
    name: check.name,
    ready: true,
    lastResponse: { status: outcome.status, contentType: outcome.contentType, body: outcome.body },
  };
}
