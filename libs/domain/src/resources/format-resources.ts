import { roundScalar } from './fixed-point';
import { normalizeRanges } from './port-ranges';
import type { Resources } from './resources';

/**
 * Resources as Mesos's simple text, the inverse of parseResources: `cpus:4;mem:8192;ports:[31000-32000]`.
 * Zero scalars and empty ports are left out, names come in the order cpus, mem, disk, ports, ranges
 * are normalized; nothing at all formats as ''.
 */
export function formatResources(r: Resources): string {
  const parts: string[] = [];
  for (const name of ['cpus', 'mem', 'disk'] as const) {
    const value = roundScalar(r[name]);
    if (value !== 0) parts.push(`${name}:${value}`);
  }
  const ports = normalizeRanges(r.ports);
  if (ports.length > 0) parts.push(`ports:[${ports.map(([b, e]) => `${b}-${e}`).join(',')}]`);
  return parts.join(';');
}
