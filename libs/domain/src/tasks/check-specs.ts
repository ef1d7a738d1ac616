import type { AppDefinition, TaskLaunchedData } from '@cairn/events';

type Json = Record<string, unknown>;

/**
 * The health checks a task runs, as its launch carries them to the agent: the app's
 * `healthChecks` (defaults already filled by decide) in the agent's fixed shape.
 */
export function healthCheckSpecs(app: AppDefinition): TaskLaunchedData['healthChecks'] {
  return (app.healthChecks as Json[]).map((check) => ({
    protocol: check.protocol as TaskLaunchedData['healthChecks'][number]['protocol'],
    path: typeof check.path === 'string' ? check.path : null,
    portIndex: typeof check.portIndex === 'number' ? check.portIndex : null,
    port: typeof check.port === 'number' ? check.port : null,
    command: commandOf(check.command),
    gracePeriodSeconds: numberOr(check.gracePeriodSeconds, 300),
    intervalSeconds: numberOr(check.intervalSeconds, 60),
    timeoutSeconds: numberOr(check.timeoutSeconds, 20),
    maxConsecutiveFailures: numberOr(check.maxConsecutiveFailures, 3),
    delaySeconds: numberOr(check.delaySeconds, 15),
    ignoreHttp1xx: check.ignoreHttp1xx === true,
  }));
}

/** The readiness checks (Marathon allows one), `portName` resolved to the port's index. */
export function readinessCheckSpecs(app: AppDefinition): TaskLaunchedData['readinessChecks'] {
  const checks = (app.readinessChecks as Json[] | undefined) ?? [];
  return checks.map((check) => {
    const portIndex = app.portDefinitions.findIndex((p) => p.name === check.portName);
    return {
      name: typeof check.name === 'string' ? check.name : 'readinessCheck',
      protocol: check.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
      path: typeof check.path === 'string' ? check.path : '/',
      portIndex: Math.max(0, portIndex),
      intervalSeconds: numberOr(check.intervalSeconds, 30),
      timeoutSeconds: numberOr(check.timeoutSeconds, 10),
      httpStatusCodesForReady: Array.isArray(check.httpStatusCodesForReady)
        ? (check.httpStatusCodesForReady as number[])
        : [200],
    };
  });
}

function commandOf(command: unknown): string | null {
  if (typeof command === 'string') return command;
  const value = (command as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : null;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
