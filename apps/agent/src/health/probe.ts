import type { Clock } from '@cairn/common';

/** What one health probe found. `ignored`: neither pass nor fail (an HTTP 1xx with ignoreHttp1xx). */
export type ProbeOutcome =
  { kind: 'success' } | { kind: 'failure'; cause: string } | { kind: 'ignored'; cause: string };

/** What one readiness probe found: the response (any status), or why there was none. */
export type ReadinessOutcome =
  { kind: 'response'; status: number; contentType: string; body: string } | { kind: 'failure'; cause: string };

/**
 * One attempt. It must resolve (never reject, though a rejection is taken as a failure) soon after
 * `signal` aborts, having released everything it holds (sockets, the command's process group).
 */
export type Probe<T> = (signal: AbortSignal) => Promise<T>;

/** The abort reason when a probe outlives its timeoutSeconds. */
export class ProbeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${formatSeconds(timeoutMs)}`);
    this.name = 'ProbeTimeout';
  }
}

/**
 * Runs a probe with its timeout on the injected clock: at the timeout the probe's signal aborts
 * and a failure it then reports becomes "timed out after N s". `controller` lets the caller abort
 * it too (the task ends); what the probe returns then is for nobody.
 */
export async function runProbe<T extends ProbeOutcome | ReadinessOutcome>(
  probe: Probe<T>,
  options: { timeoutMs: number; clock: Clock; controller: AbortController },
): Promise<T | { kind: 'failure'; cause: string }> {
  const { controller } = options;
  const cancelTimeout = options.clock.setTimer(options.timeoutMs, () =>
    controller.abort(new ProbeTimeout(options.timeoutMs)),
  );
  let outcome: T | { kind: 'failure'; cause: string };
  try {
    outcome = await probe(controller.signal);
  } catch (error) {
    outcome = { kind: 'failure', cause: error instanceof Error ? error.message : String(error) };
  } finally {
    cancelTimeout();
  }
  const reason: unknown = controller.signal.reason;
  if (outcome.kind === 'failure' && reason instanceof ProbeTimeout) return { kind: 'failure', cause: reason.message };
  return outcome;
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** `ECONNREFUSED` and friends: the code, then the message. */
export function errorCause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
