/**
 * Scalars (cpus, mem, disk) are fixed-point with three decimals, as in Mesos
 * (`src/common/resources.cpp`: `convertToFixed(v) = llround(v * 1000)`): every operation first
 * rounds its inputs to whole thousandths and then works on integers, so `0.1 + 0.2` cpus is exactly
 * 300 milli-cpus and fits a 0.3-cpu demand. A value finer than 0.001 is rounded away (0.0004 → 0),
 * as Mesos does. We chose fixed-point over an epsilon because an epsilon drifts when many small
 * tasks are added and subtracted, while integers add and subtract exactly.
 */
export const SCALAR_SCALE = 1000;

/** The value in thousandths, rounded half away from zero (llround) for non-negative values. */
export function toMilli(value: number): number {
  return Math.round(value * SCALAR_SCALE);
}

export function fromMilli(milli: number): number {
  return milli / SCALAR_SCALE;
}

/** The value as the fixed-point representation sees it (0.30000000000000004 → 0.3). */
export function roundScalar(value: number): number {
  return fromMilli(toMilli(value));
}
