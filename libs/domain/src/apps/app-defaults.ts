import type { AppDefinition } from '@cairn/events';
import { copyJson, sameJson } from '@cairn/common/same-json';

/**
 * Marathon's AppDefinition defaults (notes §2.1, code defaults at Marathon HEAD). `decide`
 * fills them once and records the result in the event, so replay never depends on a later
 * release's defaults.
 */
export const APP_DEFAULTS = {
  cpus: 1,
  mem: 128,
  disk: 0,
  gpus: 0,
  instances: 1,
  env: {},
  labels: {},
  constraints: [],
  healthChecks: [],
  readinessChecks: [],
  fetch: [],
  dependencies: [],
  requirePorts: false,
  backoffSeconds: 1,
  backoffFactor: 1.15,
  maxLaunchDelaySeconds: 300,
  upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  killSelection: 'YOUNGEST_FIRST',
  unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
  networks: [{ mode: 'host' }],
  executor: '',
  secrets: {},
  role: '*',
} as const;

const HEALTH_CHECK_DEFAULTS = {
  HTTP: { path: '/', ignoreHttp1xx: false },
  HTTPS: { path: '/', ignoreHttp1xx: false },
  MESOS_HTTP: { path: '/' },
  MESOS_HTTPS: { path: '/' },
} as Record<string, Record<string, unknown>>;

type Json = Record<string, unknown>;

/**
 * Fills defaults into a validated app body. `input.id` must already be an absolute, normalised
 * path. Fields Cairn does not know are kept as they came.
 */
export function withAppDefaults(
  input: Json,
  version: string,
  versionInfo: AppDefinition['versionInfo'],
): AppDefinition {
  const app: Json = { ...copyJson(APP_DEFAULTS), ...copyJson(input) };
  translateLegacyDockerNetwork(app, input);
  app.portDefinitions = defaultPortDefinitions(app);
  delete app.ports; // legacy alias, folded into portDefinitions
  app.healthChecks = (app.healthChecks as Json[]).map((check) => healthCheckWithDefaults(check, app));
  app.upgradeStrategy = upgradeStrategyWithDefaults(input);
  app.version = version;
  app.versionInfo = versionInfo;
  return app as AppDefinition;
}

const DEFAULT_KEYS = Object.keys(APP_DEFAULTS);

/**
 * Whether withAppDefaults would give this app back with the same JSON apart from `version` and
 * `versionInfo`: every default already there, its ports and health checks already in their filled
 * form, no legacy field left to translate. True of every app decide wrote since defaults were
 * recorded; false of a legacy one whose stored definition lacks a newer default (withAppDefaults
 * changes its config). It may answer false where withAppDefaults would change nothing (the caller
 * then takes the full path), never true where it would change something: app-defaults.spec.ts
 * holds it to that. Reuses withAppDefaults's own steps, so a new default is seen here too.
 */
export function hasAppDefaults(app: Json): boolean {
  for (const key of DEFAULT_KEYS) if (app[key] === undefined) return false;
  if (app.ports !== undefined || hasLegacyDockerNetwork(app) || !Array.isArray(app.healthChecks)) return false;
  return (
    sameJson(defaultPortDefinitions(app), app.portDefinitions) &&
    sameJson(upgradeStrategyWithDefaults(app), app.upgradeStrategy) &&
    (app.healthChecks as Json[]).every((check) => sameJson(healthCheckWithDefaults(check, app), check))
  );
}

function upgradeStrategyWithDefaults(input: Json): Json {
  return { ...APP_DEFAULTS.upgradeStrategy, ...(input.upgradeStrategy as Json | undefined) };
}

/** Marathon's docker network names, as `networks` modes. */
const DOCKER_NETWORK_MODES: Record<string, string> = { BRIDGE: 'container/bridge', USER: 'container', HOST: 'host' };

/**
 * Marathon 1.5+ moved `container.docker.network` to `networks` and `docker.portMappings` to
 * `container.portMappings`; old definitions are translated the way Marathon does it.
 */
function translateLegacyDockerNetwork(app: Json, input: Json): void {
  if (!hasLegacyDockerNetwork(app)) return;
  const container = app.container as Json;
  const docker = container.docker as Json;
  if (typeof docker.network === 'string') {
    const mode = DOCKER_NETWORK_MODES[docker.network];
    if (mode && input.networks === undefined) app.networks = [{ mode }];
    delete docker.network;
  }
  if (docker.portMappings !== undefined) {
    container.portMappings ??= docker.portMappings;
    delete docker.portMappings;
  }
}

/** Whether translateLegacyDockerNetwork has anything to translate. */
function hasLegacyDockerNetwork(app: Json): boolean {
  const container = app.container as Json | undefined;
  const docker = container?.docker as Json | undefined;
  if (!container || !docker) return false;
  return typeof docker.network === 'string' || docker.portMappings !== undefined;
}

function defaultPortDefinitions(input: Json): Json[] {
  const containerNetworking =
    Array.isArray(input.networks) && (input.networks as Json[]).some((n) => n.mode && n.mode !== 'host');
  if (Array.isArray(input.portDefinitions)) {
    return (input.portDefinitions as Json[]).map((p) => ({ port: 0, protocol: 'tcp', ...p }));
  }
  if (Array.isArray(input.ports)) {
    return (input.ports as number[]).map((port) => ({ port, protocol: 'tcp' }));
  }
  // Marathon gives a host-networked app one port unless it says otherwise.
  return containerNetworking ? [] : [{ port: 0, protocol: 'tcp', name: 'default' }];
}

function healthCheckWithDefaults(check: Json, app: Json): Json {
  const protocol = (check.protocol as string | undefined) ?? 'HTTP';
  // Marathon defaults portIndex to 0 only when the app has exactly one port.
  const portDefaults =
    check.port === undefined &&
    check.portIndex === undefined &&
    protocol !== 'COMMAND' &&
    (app.portDefinitions as Json[]).length === 1
      ? { portIndex: 0 }
      : {};
  return {
    protocol,
    gracePeriodSeconds: 300,
    intervalSeconds: 60,
    timeoutSeconds: 20,
    maxConsecutiveFailures: 3,
    delaySeconds: 15,
    ...(HEALTH_CHECK_DEFAULTS[protocol] ?? {}),
    ...portDefaults,
    ...check,
  };
}
