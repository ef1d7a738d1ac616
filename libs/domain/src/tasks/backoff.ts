import type { AppDefinition } from '@cairn/events';

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
