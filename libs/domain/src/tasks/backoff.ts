import { isoTime } from '@cairn/common/iso-time';
import type { AppDefinition } from '@cairn/events';
import { draft, EventDraft } from '../command';
import type { ClusterState, LaunchDelay, TaskRecord } from '../state';

/**
 * Marathon's launch backoff: after the n-th failure in a row the next launch waits
 * backoffSeconds * backoffFactor^(n-1), at most maxLaunchDelaySeconds.
 */
export function launchDelayMs(
  app: Pick<AppDefinition, 'backoffSeconds' | 'backoffFactor' | 'maxLaunchDelaySeconds'>,
  failures: number,
): number {
  const seconds = app.backoffSeconds * Math.pow(app.backoffFactor, Math.max(0, failures - 1));
  return Math.round(Math.min(seconds, app.maxLaunchDelaySeconds) * 1000);
}

/**
 * The LaunchDelayed that follows a task's unexpected end, if its app still exists. `earlier`
 * holds the delays already decided in the same decision (several tasks may fail at once), so
 * the backoff grows per failure. A failure long after the last delay ran out (more than
 * maxLaunchDelaySeconds) starts over, as Marathon's rate limiter does.
 */
export function failureBackoff(
  task: TaskRecord,
  state: ClusterState,
  now: number,
  earlier: ReadonlyMap<string, LaunchDelay> = new Map(),
): EventDraft[] {
  const app = state.apps.get(task.appId);
  if (!app) return [];
  const last = earlier.get(task.appId) ?? state.launchDelays.get(task.appId);
  const stale = last !== undefined && now - last.untilMs > app.maxLaunchDelaySeconds * 1000;
  const failures = last && !stale ? last.failures + 1 : 1;
  const untilMs = now + launchDelayMs(app, failures);
  if (earlier instanceof Map) earlier.set(task.appId, { failures, untilMs });
  return [draft('LaunchDelayed', { appId: task.appId, failures, until: isoTime(untilMs) })];
}
