/**
 * The master cannot take this command now (starting, replaying, fenced, or an append failed
 * and the outcome is being settled from the log). The HTTP edge answers 503 + Retry-After.
 */
export class UnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    /** More fields of the 503 body (a halted master's reason, say). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}
