import {
  countPorts,
  normalizeResources,
  PortRange,
  portsToRanges,
  rangesInclude,
  Resources,
  takePorts,
  takeSpecificPorts,
} from '../resources';
import { roundScalar, toMilli } from '../resources/fixed-point';
import { NoMatchReason, PortShortage } from './no-match-reason';
import { checkDemand, DEFAULT_AGENT_CAPABILITIES, PlacementOffer, TaskDemand } from './task-demand';

export type FitResult =
  /** `ports` in portDefinition order; `resources` = what the task takes from the offer. */
  | { readonly fits: true; readonly ports: number[]; readonly resources: Resources }
  /** Every reason the offer falls short, in REASON_FUNNEL order, each with its numbers. */
  | { readonly fits: false; readonly reasons: NoMatchReason[] };

const SCALARS = [
  ['cpus', 'InsufficientCpus'],
  ['mem', 'InsufficientMemory'],
  ['disk', 'InsufficientDisk'],
] as const;

/**
 * Matches one task against an offer. Checks everything and reports every shortage (not only the
 * first), so `/v2/queue` can count them all. Scalars compare in fixed point (an offer of
 * 0.1 + 0.2 cpus fits a 0.3-cpu task); dynamic ports are the lowest free ones.
 */
export function fitTask(demand: TaskDemand, offer: PlacementOffer): FitResult {
  checkDemand(demand);
  const have = normalizeResources(offer.resources);
  const reasons: NoMatchReason[] = [];

  const containerType = demand.containerType ?? 'MESOS';
  const capabilities = offer.capabilities ?? DEFAULT_AGENT_CAPABILITIES;
  if (!capabilities.includes(containerType)) {
    reasons.push({ reason: 'UnsupportedContainer', requested: containerType, available: [...capabilities] });
  }
  for (const [name, reason] of SCALARS) {
    if (toMilli(demand[name]) > toMilli(have[name])) {
      reasons.push({ reason, requested: roundScalar(demand[name]), available: have[name] });
    }
  }
  const ports = assignPorts(demand, have.ports);
  if (!Array.isArray(ports)) reasons.push(ports);

  if (reasons.length > 0 || !Array.isArray(ports)) return { fits: false, reasons };
  const resources = normalizeResources({
    cpus: demand.cpus,
    mem: demand.mem,
    disk: demand.disk,
    ports: portsToRanges(ports),
  });
  return { fits: true, ports, resources };
}

/**
 * Host ports for the task, in portDefinition order: required ports exactly, `0` entries and
 * dynamic ports from the lowest free. A PortShortage when that cannot be done.
 */
function assignPorts(demand: TaskDemand, free: readonly PortRange[]): number[] | PortShortage {
  const required = demand.requiredPorts ?? new Array<number>(demand.portCount).fill(0);
  const fixed = required.filter((port) => port !== 0);
  const shortage = (unavailablePorts: number[]): PortShortage => ({
    reason: 'InsufficientPorts',
    requested: demand.portCount,
    available: countPorts(free),
    unavailablePorts,
  });

  const afterFixed = takeSpecificPorts(free, fixed);
  if (afterFixed === undefined) {
    return shortage([...new Set(fixed.filter((port, i) => !rangesInclude(free, port) || fixed.indexOf(port) !== i))]);
  }
  const dynamic = takePorts(afterFixed.remaining, required.length - fixed.length);
  if (dynamic === undefined) return shortage([]);
  let next = 0;
  return required.map((port) => (port !== 0 ? port : dynamic.ports[next++]));
}
