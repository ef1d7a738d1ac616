import { statfs } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { WireResources } from '../protocol/agent-protocol';
import type { ResourceOverrides } from './agent-options';

/** Mesos's default port range for an agent that names none. */
export const DEFAULT_PORT_RANGES: [number, number][] = [[31000, 32000]];
const BYTES_PER_MB = 1024 * 1024;

/** What this machine offers when `--resources` does not say: every core, all memory, the work dir's free disk. */
export interface MachineFacts {
  cpuCount(): number;
  totalMemoryBytes(): number;
  /** Bytes available to an unprivileged user on the file system holding `dir`. */
  freeDiskBytes(dir: string): Promise<number>;
}

export const realMachine: MachineFacts = {
  cpuCount: () => cpus().length,
  totalMemoryBytes: () => totalmem(),
  async freeDiskBytes(dir) {
    const stats = await statfs(dir);
    return stats.bavail * stats.bsize;
  },
};

/** The resources to register: what `--resources` named, the rest detected (mem and disk in MB). */
export async function detectResources(
  workDir: string,
  overrides: ResourceOverrides,
  machine: MachineFacts = realMachine,
): Promise<WireResources> {
  return {
    cpus: overrides.cpus ?? machine.cpuCount(),
    mem: overrides.mem ?? Math.floor(machine.totalMemoryBytes() / BYTES_PER_MB),
    disk: overrides.disk ?? Math.floor((await machine.freeDiskBytes(workDir)) / BYTES_PER_MB),
    ports: (overrides.ports ?? DEFAULT_PORT_RANGES).map(([begin, end]) => [begin, end]),
  };
}
