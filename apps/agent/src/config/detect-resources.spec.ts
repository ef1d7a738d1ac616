import { detectResources, type MachineFacts } from './detect-resources';

const machine: MachineFacts = {
  cpuCount: () => 8,
  totalMemoryBytes: () => 16 * 1024 * 1024 * 1024 + 123,
  freeDiskBytes: async () => 50_000 * 1024 * 1024 + 99,
};

describe('detectResources', () => {
  it('detects everything --resources does not name, mem and disk in whole MB', async () => {
    expect(await detectResources('/w', {}, machine)).toEqual({
      cpus: 8,
      mem: 16_384,
      disk: 50_000,
      ports: [[31000, 32000]],
    });
  });

  it('takes what --resources names, including no ports at all', async () => {
    expect(await detectResources('/w', { cpus: 2, ports: [] }, machine)).toEqual({
      cpus: 2,
      mem: 16_384,
      disk: 50_000,
      ports: [],
    });
  });
});
