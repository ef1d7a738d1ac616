import { MarathonShapeError } from './marathon-shapes';

export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** What we wait for, for the timeout message: "master at :8080 to answer /v2/info". */
  readonly describe?: string;
  /** Extra context for the timeout message (e.g. the tail of a process's stderr). */
  readonly onTimeout?: () => string | Promise<string>;
  /** A thrown error for which waiting longer is pointless (e.g. the process died): rethrown at once. */
  readonly abortOn?: (err: unknown) => boolean;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 20_000;
export const DEFAULT_WAIT_INTERVAL_MS = 50;

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `condition` until it returns something other than `undefined`, `null` or `false`, and
 * resolves with that value. A throwing condition counts as "not yet"; its last error is quoted if
 * the deadline passes. Never a fixed sleep: tests wait for what they need, no longer.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false)
        return value as Exclude<T, undefined | null | false>;
      lastValue = value;
      lastError = undefined;
    } catch (err) {
      // A response outside Marathon's profile stays so: retrying would only hide it until the timeout.
      if (err instanceof MarathonShapeError || options.abortOn?.(err)) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const what = options.describe ?? 'condition';
  const last =
    lastError !== undefined
      ? `last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
      : `last value: ${JSON.stringify(lastValue)}`;
  const extra = options.onTimeout ? `\n${await options.onTimeout()}` : '';
  throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what} (${last})${extra}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
