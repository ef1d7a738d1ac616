import { cpus, tmpdir, totalmem } from 'node:os';
import type { MachineInfo } from './bench-result';

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    tmpDir: tmpdir(),
  };
}
