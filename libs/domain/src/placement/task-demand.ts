import { MAX_PORT, Resources } from '../resources';
import { PlacementInputError } from './placement-errors';

export type ContainerType = 'MESOS' | 'DOCKER';

/** What one task of an app needs from an offer (an AppDefinition's cpus, mem, disk and ports). */
export interface TaskDemand {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  /** How many host ports the task needs (one per portDefinition). */
  readonly portCount: number;
  /**
   * With requirePorts: the host ports, in portDefinition order, that the task must get exactly;
   * `0` means "any port" (Marathon assigns those dynamically even under requirePorts). Its length
   * must equal portCount. Absent: every port is assigned dynamically.
   */
  readonly requiredPorts?: readonly number[];
  /** Absent = a command task, run by the Mesos containerizer. */
  readonly containerType?: ContainerType;
}

/** An offer as placement sees it: what is left of it, what the agent can run, and what constraints read of it. */
export interface PlacementOffer {
  readonly resources: Resources;
  /** Container types the agent runs; absent = DEFAULT_AGENT_CAPABILITIES. */
  readonly capabilities?: readonly string[];
  /** The agent's hostname, for `hostname` constraints; absent = the field is missing (only UNLIKE matches). */
  readonly hostname?: string;
  /** The agent's attributes, for constraints on any other field; absent = none. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Every agent runs the Mesos containerizer (plain processes); Docker needs an agent that says so. */
export const DEFAULT_AGENT_CAPABILITIES: readonly string[] = ['MESOS'];

export function checkDemand(demand: TaskDemand): void {
  const fail = (field: string, value: unknown, reason: string): never => {
    throw new PlacementInputError({ field: `demand.${field}`, value, reason });
  };
  for (const name of ['cpus', 'mem', 'disk'] as const) {
    if (!(Number.isFinite(demand[name]) && demand[name] >= 0)) fail(name, demand[name], 'must be a finite number >= 0');
  }
  if (!(Number.isInteger(demand.portCount) && demand.portCount >= 0))
    fail('portCount', demand.portCount, 'must be an integer >= 0');
  const required = demand.requiredPorts;
  if (required === undefined) return;
  if (required.length !== demand.portCount) {
    fail('requiredPorts', required, `has ${required.length} ports but portCount is ${demand.portCount}`);
  }
  for (const port of required) {
    if (!(Number.isInteger(port) && port >= 0 && port <= MAX_PORT))
      fail('requiredPorts', required, `port ${port} is not in 0..${MAX_PORT}`);
  }
}
