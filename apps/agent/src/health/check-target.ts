import type { HealthCheckProtocol, HealthCheckSpec, ReadinessCheckSpec } from '../protocol/agent-protocol';

/**
 * What a check probes, from its spec and the task's ports. Pure: no I/O, so the launch schema can
 * refuse a check that cannot run before anything starts.
 */

/** The four probes; Marathon's MESOS_* protocols are their plain counterparts run on the agent. */
export type ProbeKind = 'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND';

export function probeKindOf(protocol: HealthCheckProtocol): ProbeKind {
  switch (protocol) {
    case 'HTTP':
    case 'MESOS_HTTP':
      return 'HTTP';
    case 'HTTPS':
    case 'MESOS_HTTPS':
      return 'HTTPS';
    case 'TCP':
    case 'MESOS_TCP':
      return 'TCP';
    case 'COMMAND':
      return 'COMMAND';
    default: {
      const exhaustive: never = protocol;
      return exhaustive;
    }
  }
}

/**
 * Marathon honoured `delaySeconds` only for the checks Mesos ran (COMMAND, MESOS_*); its own
 * HTTP/HTTPS/TCP checks started at once. Every app gets `delaySeconds: 15` filled in, so honouring
 * it everywhere would make each HTTP-checked task healthy 15 s later than under Marathon.
 */
export function honoursDelay(protocol: HealthCheckProtocol): boolean {
  return protocol === 'COMMAND' || protocol.startsWith('MESOS_');
}

/** `port` when set (non-zero), else `ports[portIndex]`, else the task's only port. */
export function checkPort(
  check: Pick<HealthCheckSpec, 'port' | 'portIndex'>,
  ports: readonly number[],
): number | undefined {
  if (check.port !== null && check.port !== 0) return check.port;
  if (check.portIndex !== null) return ports[check.portIndex];
  return ports.length === 1 ? ports[0] : undefined;
}

/** Why the check cannot run on a task with these ports, or undefined when it can. */
export function checkPortProblem(check: HealthCheckSpec, ports: readonly number[]): string | undefined {
  if (check.protocol === 'COMMAND') {
    return check.command === null || check.command.trim() === '' ? 'a COMMAND check needs a command' : undefined;
  }
  if (checkPort(check, ports) !== undefined) return undefined;
  if (check.portIndex !== null) {
    return `portIndex ${check.portIndex} names no port (the task has ${ports.length})`;
  }
  return `a ${check.protocol} check needs port or portIndex unless the task has exactly one port (it has ${ports.length})`;
}

export function readinessPortProblem(check: ReadinessCheckSpec, ports: readonly number[]): string | undefined {
  return check.portIndex < ports.length
    ? undefined
    : `portIndex ${check.portIndex} names no port (the task has ${ports.length})`;
}

/** An HTTP check's request path: `/` when none is given, and always absolute. */
export function httpPath(path: string | null): string {
  if (path === null || path === '') return '/';
  return path.startsWith('/') ? path : `/${path}`;
}
