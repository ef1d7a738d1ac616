/**
 * Formats a time the caller already has (ms since the epoch) as ISO-8601. Pure: it reads no
 * clock, which is why the domain uses it rather than constructing Dates itself.
 */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
