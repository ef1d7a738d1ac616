import { InvalidResourcesError } from './resource-errors';

/** An inclusive range of ports, `[31000, 32000]` = 1001 ports, as Mesos `Value.Range`. */
export type PortRange = readonly [begin: number, end: number];

export const MIN_PORT = 0;
export const MAX_PORT = 65_535;

/**
 * Port ranges are sets of ports. Every function here accepts ranges in any order, overlapping or
 * adjacent, and returns them normalized: sorted by begin, disjoint, and with adjacent ranges merged
 * (`[1-3],[4-5]` → `[1-5]`), so two equal sets have one representation.
 */
export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  ranges.forEach(checkRange);
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [begin, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && begin <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([begin, end]);
  }
  return merged;
}

function checkRange(range: PortRange, index: number): void {
  const [begin, end] = range;
  const field = `ports[${index}]`;
  if (!Number.isInteger(begin) || !Number.isInteger(end)) {
    throw new InvalidResourcesError({ field, value: range, reason: 'port numbers must be integers' });
  }
  if (begin < MIN_PORT || end > MAX_PORT) {
    throw new InvalidResourcesError({ field, value: range, reason: `ports must lie in ${MIN_PORT}..${MAX_PORT}` });
  }
  if (begin > end) throw new InvalidResourcesError({ field, value: range, reason: 'begin must not exceed end' });
}

/** The union of two sets of ports. */
export function addRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  return normalizeRanges([...a, ...b]);
}

/** The ports of `a` that are not in `b` (`b` may hold ports outside `a`; they are ignored). */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const cuts = normalizeRanges(b);
  const out: PortRange[] = [];
  for (const [begin, end] of normalizeRanges(a)) {
    let from = begin;
    for (const [cutBegin, cutEnd] of cuts) {
      if (cutEnd < from) continue;
      if (cutBegin > end) break;
      if (cutBegin > from) out.push([from, cutBegin - 1]);
      from = cutEnd + 1;
      if (from > end) break;
    }
    if (from <= end) out.push([from, end]);
  }
  return out;
}

/** True when every port of `b` is in `a`. */
export function rangesContain(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  return subtractRanges(b, a).length === 0;
}

export function rangesEqual(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  const x = normalizeRanges(a);
  const y = normalizeRanges(b);
  return x.length === y.length && x.every((r, i) => r[0] === y[i][0] && r[1] === y[i][1]);
}

export function countPorts(ranges: readonly PortRange[]): number {
  return normalizeRanges(ranges).reduce((n, [begin, end]) => n + end - begin + 1, 0);
}

/** Ports as ranges (duplicates collapse: ranges are sets). */
export function portsToRanges(ports: readonly number[]): PortRange[] {
  return normalizeRanges(ports.map((p): PortRange => [p, p]));
}

/** True when `port` is in `ranges`. */
export function rangesInclude(ranges: readonly PortRange[], port: number): boolean {
  return ranges.some(([begin, end]) => port >= begin && port <= end);
}

/**
 * Takes `count` ports, lowest first, so the choice is deterministic (Marathon picks at random to
 * spread collisions; Cairn's offers already exclude used ports, and a simulation needs repeatable
 * choices). Undefined when fewer than `count` ports are free.
 */
export function takePorts(
  ranges: readonly PortRange[],
  count: number,
): { ports: number[]; remaining: PortRange[] } | undefined {
  const free = normalizeRanges(ranges);
  const ports: number[] = [];
  for (const [begin, end] of free) {
    for (let port = begin; port <= end && ports.length < count; port++) ports.push(port);
    if (ports.length === count) break;
  }
  if (ports.length < count) return undefined;
  return { ports, remaining: subtractRanges(free, portsToRanges(ports)) };
}

/**
 * Takes exactly `ports` (requirePorts). Undefined when one of them is not in `ranges` or is asked
 * for twice: a port can be given to a task only once.
 */
export function takeSpecificPorts(
  ranges: readonly PortRange[],
  ports: readonly number[],
): { remaining: PortRange[] } | undefined {
  const free = normalizeRanges(ranges);
  if (new Set(ports).size !== ports.length) return undefined;
  if (!ports.every((port) => rangesInclude(free, port))) return undefined;
  return { remaining: subtractRanges(free, portsToRanges(ports)) };
}
