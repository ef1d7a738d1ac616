import { AgentOptionsError } from '../agent-errors';
import { localMasterUrl } from '@cairn/common';
import {
  MASTER_ENV,
  parseAttributes,
  parseMasters,
  parseResourceOverrides,
  readAgentToken,
  type ResourceOverrides,
} from '../config/agent-options';

/** What `cairn agent --simulated N` gives each agent unless `--resources` says otherwise. */
export const SIMULATED_AGENT_RESOURCES = {
  cpus: 8,
  mem: 16_384,
  disk: 100_000,
  ports: [[31_000, 32_000]] as [number, number][],
};
export const SIMULATED_HOSTNAME_PREFIX = 'sim';

/** The flags `cairn agent --simulated` shares with `cairn agent` (commander's camelCase). */
export interface SimulatedConnectionFlags {
  master?: string | string[];
  resources?: string;
  attributes?: string;
  hostname?: string;
  tokenFile?: string;
}

export interface SimulatedConnection {
  masters: string[];
  token: string | undefined;
  /** Mesos text, as startSimulatedAgents takes it. */
  resources: string;
  attributes: Record<string, string>;
  hostnamePrefix: string;
}

/**
 * The masters, token, resources and attributes of simulated agents, read as `cairn agent` reads
 * its own (`--master` or CAIRN_MASTER, `--token-file` or CAIRN_AGENT_TOKEN). `--resources`
 * overrides what it names of SIMULATED_AGENT_RESOURCES; `--hostname` is the prefix of `<prefix>-<i>`.
 * Throws AgentOptionsError.
 */
export function resolveSimulatedConnection(
  flags: SimulatedConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): SimulatedConnection {
  const masters = parseMasters(flags.master ?? env[MASTER_ENV] ?? localMasterUrl(env));
  const overrides: ResourceOverrides = flags.resources === undefined ? {} : parseResourceOverrides(flags.resources);
  const prefix = flags.hostname?.trim() ?? SIMULATED_HOSTNAME_PREFIX;
  if (prefix === '' || /\s/.test(prefix)) {
    throw new AgentOptionsError({ option: '--hostname', reason: `'${flags.hostname}' is not a host name prefix` });
  }
  return {
    masters,
    token: readAgentToken(flags.tokenFile, env),
    resources: resourceText({ ...SIMULATED_AGENT_RESOURCES, ...overrides }),
    attributes: flags.attributes === undefined ? {} : parseAttributes(flags.attributes),
    hostnamePrefix: prefix,
  };
}

function resourceText(resources: typeof SIMULATED_AGENT_RESOURCES): string {
  const ports = resources.ports.map(([begin, end]) => `${begin}-${end}`).join(',');
  return `cpus:${resources.cpus};mem:${resources.mem};disk:${resources.disk};ports:[${ports}]`;
}
