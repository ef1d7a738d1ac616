import { assertTaskPortsOutsideEphemeral, ephemeralPortRange } from './task-port-range';

describe('task port ranges of test agents', () => {
  it('refuses a range inside the ephemeral ports and accepts one below them', () => {
    const [low] = ephemeralPortRange();
    expect(() => assertTaskPortsOutsideEphemeral(`cpus:2;ports:[${low + 100}-${low + 199}]`)).toThrow(/ephemeral/);
    expect(() => assertTaskPortsOutsideEphemeral(`ports:[1000-1099,${low}]`)).toThrow(/ephemeral/);
    expect(() => assertTaskPortsOutsideEphemeral(`cpus:2;mem:2048;ports:[${low - 100}-${low - 1}]`)).not.toThrow();
    expect(() => assertTaskPortsOutsideEphemeral('cpus:2;mem:2048')).not.toThrow();
    expect(() => assertTaskPortsOutsideEphemeral(undefined)).not.toThrow();
  });
});
