/** Small statistics, pure. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Seconds since `startNs` (a process.hrtime.bigint() reading). */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

/** Rounded to milliseconds, for seconds printed in reports. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** A benchmark that did less work than asked measured nothing: fail it loudly. */
export function expectCount(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what} saw ${got} events, expected ${want}`);
}

export function millisSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}
