import { ApiSchema } from '@nestjs/swagger';
import { jsonPathId } from '../app-id';
import { JsonField, NestedArray, NestedObject } from '../json-field.decorators';
import {
  jsonArrayOf,
  jsonBoolean,
  jsonDateTime,
  jsonEnum,
  jsonInt,
  jsonNumber,
  jsonObject,
  jsonObjectWith,
  jsonPort,
  jsonString,
} from '../json-shape';
import { ContainerDto } from './container.dto';
import { FetchArtifactDto } from './fetch-artifact.dto';
import {
  jsonConstraint,
  jsonEnv,
  jsonExecutor,
  jsonExecutorResources,
  jsonIpAddress,
  jsonLabels,
  jsonResidency,
  jsonResourceLimits,
  jsonSecrets,
  jsonSeconds,
  jsonUnreachableStrategy,
  jsonUri,
} from './field-checks';
import { HealthCheckDto } from './health-check.dto';
import { NetworkDto } from './network.dto';
import { PortDefinitionDto } from './port-definition.dto';
import { ReadinessCheckDto } from './readiness-check.dto';
import { UpgradeStrategyDto } from './upgrade-strategy.dto';

export type UnreachableStrategy = 'disabled' | { inactiveAfterSeconds?: number; expungeAfterSeconds?: number };

/**
 * Marathon's AppDefinition (RAML `App` at Marathon HEAD; notes §2.1) as the parse layer sees
 * it: every field optional here (`id` is required by the caller in create mode), each with its
 * type, bounds and pattern. Fields not listed are not Marathon's and are kept untouched.
 *
 * After a body passes the parse layer it has this shape, so the semantic rules read the body
 * through this type.
 */
@ApiSchema({
  name: 'AppDefinition',
  description: "Marathon's AppDefinition as Cairn validates it (unknown top-level fields are accepted and not stored)",
})
export class AppDefinitionDto {
  @JsonField(jsonPathId)
  id?: string;

  @JsonField(jsonString({ minLength: 1 }))
  cmd?: string;

  @JsonField(jsonArrayOf(jsonString()))
  args?: string[];

  /** The RAML minimum is enforced while parsing: `cpus: 0` is `error.min` (notes §2.1). */
  @JsonField(jsonNumber({ min: 0.001 }))
  cpus?: number;

  @JsonField(jsonNumber({ min: 0 }))
  mem?: number;

  @JsonField(jsonNumber({ min: 0 }))
  disk?: number;

  @JsonField(jsonInt({ min: 0 }))
  gpus?: number;

  @JsonField(jsonInt({ min: 0 }))
  instances?: number;

  @NestedArray(() => PortDefinitionDto)
  portDefinitions?: PortDefinitionDto[];

  /** Deprecated alias of `portDefinitions[].port`. */
  @JsonField(jsonArrayOf(jsonPort))
  ports?: number[];

  @JsonField(jsonBoolean)
  requirePorts?: boolean;

  @JsonField(jsonEnv)
  env?: Record<string, string | { secret: string }>;

  @JsonField(jsonLabels)
  labels?: Record<string, string>;

  @JsonField(jsonArrayOf(jsonConstraint))
  constraints?: string[][];

  @NestedArray(() => HealthCheckDto)
  healthChecks?: HealthCheckDto[];

  @NestedArray(() => ReadinessCheckDto)
  readinessChecks?: ReadinessCheckDto[];

  /** Mesos generic check (1.6+): stored, not acted on. */
  @JsonField(jsonObject)
  check?: Record<string, unknown>;

  @NestedObject(() => UpgradeStrategyDto)
  upgradeStrategy?: UpgradeStrategyDto;

  @JsonField(jsonSeconds)
  backoffSeconds?: number;

  @JsonField(jsonNumber({ min: 1 }))
  backoffFactor?: number;

  @JsonField(jsonSeconds)
  maxLaunchDelaySeconds?: number;

  @JsonField(jsonEnum(['YOUNGEST_FIRST', 'OLDEST_FIRST']))
  killSelection?: 'YOUNGEST_FIRST' | 'OLDEST_FIRST';

  @JsonField(jsonUnreachableStrategy)
  unreachableStrategy?: UnreachableStrategy;

  @JsonField(jsonSeconds)
  taskKillGracePeriodSeconds?: number;

  @NestedArray(() => FetchArtifactDto)
  fetch?: FetchArtifactDto[];

  /** Deprecated in favour of `fetch`. */
  @JsonField(jsonArrayOf(jsonUri))
  uris?: string[];

  @JsonField(jsonString())
  user?: string;

  @JsonField(jsonArrayOf(jsonPathId))
  dependencies?: string[];

  @NestedObject(() => ContainerDto)
  container?: ContainerDto;

  @NestedArray(() => NetworkDto)
  networks?: NetworkDto[];

  /** Deprecated in favour of `networks`. */
  @JsonField(jsonIpAddress)
  ipAddress?: Record<string, unknown>;

  @JsonField(jsonArrayOf(jsonString()))
  acceptedResourceRoles?: string[];

  @JsonField(jsonString({ minLength: 1 }))
  role?: string;

  @JsonField(jsonExecutor)
  executor?: string;

  @JsonField(jsonExecutorResources)
  executorResources?: Record<string, unknown>;

  @JsonField(jsonResourceLimits)
  resourceLimits?: Record<string, unknown>;

  @JsonField(jsonSecrets)
  secrets?: Record<string, { source: string }>;

  @JsonField(jsonResidency)
  residency?: Record<string, unknown>;

  @JsonField(jsonBoolean)
  tty?: boolean;

  /** Server-set; in a partial update it asks for a rollback to that version. */
  @JsonField(jsonDateTime)
  version?: string;

  /** Server-set and read-only: accepted (a GET response can be sent back) and dropped. */
  @JsonField(jsonObjectWith({ lastScalingAt: { check: jsonDateTime }, lastConfigChangeAt: { check: jsonDateTime } }))
  versionInfo?: Record<string, unknown>;
}

/** Every AppDefinition field name (the DTO's properties); a spec keeps the two in step. */
export const APP_DEFINITION_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'cmd',
  'args',
  'cpus',
  'mem',
  'disk',
  'gpus',
  'instances',
  'portDefinitions',
  'ports',
  'requirePorts',
  'env',
  'labels',
  'constraints',
  'healthChecks',
  'readinessChecks',
  'check',
  'upgradeStrategy',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'killSelection',
  'unreachableStrategy',
  'taskKillGracePeriodSeconds',
  'fetch',
  'uris',
  'user',
  'dependencies',
  'container',
  'networks',
  'ipAddress',
  'acceptedResourceRoles',
  'role',
  'executor',
  'executorResources',
  'resourceLimits',
  'secrets',
  'residency',
  'tty',
  'version',
  'versionInfo',
]);

/**
 * Fields of Marathon's AppInfo (GET responses) that a client may send back in a PUT: Marathon's
 * reader ignores them, so Cairn drops them instead of storing them as unknown fields.
 */
export const APP_INFO_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'tasksStaged',
  'tasksRunning',
  'tasksHealthy',
  'tasksUnhealthy',
  'deployments',
  'tasks',
  'lastTaskFailure',
  'readinessCheckResults',
  'tasksStats',
]);
