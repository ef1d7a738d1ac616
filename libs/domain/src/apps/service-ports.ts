import type { AppDefinition } from '@cairn/events';
import { CommandRejected } from '../command';
import { AppTable } from './app-table';

import { SERVICE_PORT_MAX, SERVICE_PORT_MIN } from './service-port-range';

export { SERVICE_PORT_MAX, SERVICE_PORT_MIN };

type PortDefinition = AppDefinition['portDefinitions'][number];

/** Ports a new port 0 may not take. */
export interface TakenPorts {
  has(port: number): boolean;
  /** A port from which on the search for a free one may start (every port below it is taken); default SERVICE_PORT_MIN. */
  readonly searchFrom?: number;
}

/**
 * The service ports every app in `apps` holds, except `exceptAppId`'s own: what a new port 0 of
 * that app may not take. Non-zero ports users chose count too (Marathon's `taken` does the same).
 * An AppTable answers from its port counts (no app is read: a create among 10,000 apps stays
 * cheap); any other map is walked.
 */
export function servicePortsTaken(apps: ReadonlyMap<string, AppDefinition>, exceptAppId: string): TakenPorts {
  if (apps instanceof AppTable) {
    const own = apps.get(exceptAppId)?.portDefinitions ?? [];
    // Below the lowest port no app holds, only this app's own ports can be free for it.
    const ownInRange = own.map((definition) => definition.port).filter(inRange);
    return {
      has: (port) => apps.servicePortHolders(port) > own.filter((definition) => definition.port === port).length,
      searchFrom: Math.min(apps.lowestUnheldServicePort(), ...ownInRange),
    };
  }
  const taken = new Set<number>();
  for (const app of apps.values()) {
    if (app.id === exceptAppId) continue;
    for (const definition of app.portDefinitions) if (definition.port !== 0) taken.add(definition.port);
  }
  return taken;
}

/**
 * Marathon's dynamic service ports, decided once so that the app's event records them and replay
 * never picks again: each `portDefinitions[i].port` of 0 becomes a cluster-unique service port.
 * An update keeps the port its previous version had at the same index when that index still asks
 * for 0 (a full PUT of the same body changes nothing); any other 0 takes the lowest port of the
 * range that no other app and no other port of this app holds. Ports the user gave are kept as
 * they are, duplicates across apps included: Marathon leaves their uniqueness to the user.
 * Throws CommandRejected when the range is used up.
 */
export function withServicePorts(
  portDefinitions: readonly PortDefinition[],
  previous: readonly PortDefinition[] | undefined,
  takenByOthers: TakenPorts,
): PortDefinition[] {
  if (portDefinitions.every((definition) => definition.port !== 0)) return [...portDefinitions];
  // This app's own ports, apart from the others' (which are only asked, never copied).
  const ours = new Set<number>();
  for (const definition of portDefinitions) if (definition.port !== 0) ours.add(definition.port);
  const taken = {
    has: (port: number) => ours.has(port) || takenByOthers.has(port),
    add: (port: number) => ours.add(port),
  };
  const assigned = portDefinitions.map((definition, index) => {
    if (definition.port !== 0) return definition.port;
    const kept = previous?.[index]?.port;
    if (kept !== undefined && inRange(kept) && !taken.has(kept)) {
      taken.add(kept);
      return kept;
    }
    return 0;
  });
  let candidate = Math.max(SERVICE_PORT_MIN, takenByOthers.searchFrom ?? SERVICE_PORT_MIN);
  return portDefinitions.map((definition, index) => {
    if (assigned[index] !== 0) return { ...definition, port: assigned[index] };
    while (candidate < SERVICE_PORT_MAX && taken.has(candidate)) candidate++;
    if (candidate >= SERVICE_PORT_MAX) {
      throw new CommandRejected(
        'invalid',
        `All ports in the range [${SERVICE_PORT_MIN}-${SERVICE_PORT_MAX}) are already in use`,
        [{ path: '/portDefinitions', errors: ['no free service port left for port 0'] }],
      );
    }
    taken.add(candidate);
    return { ...definition, port: candidate };
  });
}

const inRange = (port: number) => port >= SERVICE_PORT_MIN && port < SERVICE_PORT_MAX;
