import { readFileSync } from 'node:fs';

/**
 * Task port ranges a test gives its agents must stay clear of the kernel's ephemeral ports: every
 * free port a test picks (masters, brokers, forwarders) and every outgoing connection comes from
 * there, so a fixed task range inside it collides now and then (a task found its port "already in
 * use" and the test timed out). Below 32768 nothing else on the machine takes them.
 */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux: the IANA range, which macOS and Windows use.
  }
  return [49152, 65535];
}

/** Throws when a `--resources` string (`cpus:2;ports:[31000-31099,31200-31299]`) gives ports inside the ephemeral range. */
export function assertTaskPortsOutsideEphemeral(resources: string | undefined): void {
  const ports = resources?.match(/ports:\[([^\]]*)\]/)?.[1];
  if (!ports) return;
  const [low, high] = ephemeralPortRange();
  for (const range of ports.split(',')) {
    const [begin, end = begin] = range.split('-').map((port) => Number(port.trim()));
    if (begin! <= high && end! >= low) {
      throw new Error(
        `task ports ${range} overlap the ephemeral port range ${low}-${high}: free ports the tests pick ` +
          `come from there, so a task would find its port taken now and then. Use a range below ${low}.`,
      );
    }
  }
}
