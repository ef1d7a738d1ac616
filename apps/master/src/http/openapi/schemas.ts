import type { JsonSchema } from '../validation/json-shape';

/**
 * The response shapes of the served OpenAPI document (/openapi.json), each defined once and
 * referenced by name. Request bodies are not here: they come from the validation DTOs
 * (validation/dto, `AppDefinition`), whose shape checks carry their own schemas.
 *
 * They describe what the renderers (app.view.ts, task.view.ts, deployment.view.ts, the
 * controllers) really write: `/v2` in Marathon 1.6's field sets, `/v1` in Cairn's shapes.
 * Objects are open (no `additionalProperties: false`): a renderer may add a field without
 * breaking the document, and schemathesis checks every field the document names.
 */
export const ref = (name: SchemaName): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const string = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const number = { type: 'number' } as const;
const boolean = { type: 'boolean' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, nullable: true });
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const object = (properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required: [...required] } : {}),
});
const mapOf = (value: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: value });
const anyObject = { type: 'object' } as const;

const schemas = {
  /** Marathon's error shape: `{message}`, with more fields for some (422 `details`, 409 `deployments`). */
  Error: object(
    {
      message: string,
      details: {
        description: 'A 422: the failed fields (`[{path, errors}]`); a 400 for malformed JSON: the parser message',
        oneOf: [arrayOf(object({ path: string, errors: arrayOf(string) }, ['path', 'errors'])), string],
      },
      deployments: {
        description: 'A 409 (the app is locked): the deployments holding it',
        ...arrayOf(object({ id: string }, ['id'])),
      },
    },
    ['message'],
  ),
  /** Marathon's 422: the fields that failed validation, with play-json's error keys or Marathon's messages. */
  ValidationError: object(
    {
      message: { type: 'string', description: '`Invalid JSON` (parse layer) or `Object is not valid` (rules)' },
      details: arrayOf(object({ path: string, errors: arrayOf(string) }, ['path', 'errors'])),
    },
    ['message', 'details'],
  ),
  /** What a master that cannot answer now says (starting, no leader, a full command queue, halted). */
  Unavailable: object(
    {
      message: string,
      role: { type: 'string', description: '`halted`: this master met a record it cannot read' },
      halted: anyObject,
    },
    ['message'],
  ),
  /** An app as /v2 renders its definition (the stored definition, Marathon 1.6's fields). */
  AppView: {
    allOf: [
      { $ref: '#/components/schemas/AppDefinition' },
      object(
        { labels: mapOf(string), versionInfo: object({ lastScalingAt: dateTime, lastConfigChangeAt: dateTime }) },
        ['id', 'labels', 'version', 'versionInfo'],
      ),
    ],
  },
  /** Marathon's AppInfo: the definition plus what `embed` asks for. */
  App: {
    allOf: [
      { $ref: '#/components/schemas/AppView' },
      object({
        tasksStaged: int,
        tasksRunning: int,
        tasksHealthy: int,
        tasksUnhealthy: int,
        deployments: arrayOf(object({ id: string }, ['id'])),
        readinessCheckResults: arrayOf(object({ name: string, taskId: string, ready: boolean }, ['name', 'taskId'])),
        tasks: arrayOf({ $ref: '#/components/schemas/Task' }),
        lastTaskFailure: object({
          appId: string,
          host: string,
          message: string,
          taskId: string,
          slaveId: nullable(string),
          state: string,
          timestamp: string,
          version: string,
        }),
        taskStats: mapOf(
          object(
            {
              stats: object(
                {
                  counts: object({ staged: int, running: int, healthy: int, unhealthy: int }),
                  lifeTime: object({ averageSeconds: number, medianSeconds: number }),
                },
                ['counts'],
              ),
            },
            ['stats'],
          ),
        ),
      }),
    ],
  },
  Task: object(
    {
      id: string,
      appId: string,
      host: string,
      ports: arrayOf(int),
      servicePorts: arrayOf(int),
      slaveId: string,
      stagedAt: string,
      startedAt: string,
      state: { type: 'string', description: 'A Mesos task state: TASK_STAGING, TASK_RUNNING, ...' },
      version: string,
      ipAddresses: arrayOf(object({ ipAddress: string, protocol: string })),
      healthCheckResults: arrayOf(
        object({
          instanceId: string,
          taskId: string,
          alive: boolean,
          consecutiveFailures: int,
          firstSuccess: nullable(string),
          lastSuccess: nullable(string),
          lastFailure: nullable(string),
          lastFailureCause: nullable(string),
        }),
      ),
    },
    ['id', 'appId', 'host', 'ports', 'servicePorts', 'slaveId', 'stagedAt', 'state', 'version', 'healthCheckResults'],
  ),
  Deployment: object(
    {
      id: string,
      version: string,
      affectedApps: arrayOf(string),
      affectedPods: arrayOf(string),
      steps: arrayOf(
        object({ actions: arrayOf(object({ action: string, app: string }, ['action', 'app'])) }, ['actions']),
      ),
      currentActions: arrayOf(
        object({ action: string, app: string, readinessCheckResults: arrayOf(anyObject) }, ['action', 'app']),
      ),
      currentStep: int,
      totalSteps: int,
    },
    ['id', 'version', 'affectedApps', 'steps', 'currentActions', 'currentStep', 'totalSteps'],
  ),
  /** Marathon's deploymentResult; a write that changed nothing names its command instead of a deployment. */
  DeploymentResult: object({ deploymentId: nullable(string), version: nullable(string) }, ['deploymentId', 'version']),
  /** `?dryRun=true` (Cairn's): what the write would decide now; nothing is written (docs/marathon-api.md). */
  DryRun: object(
    {
      dryRun: { type: 'boolean', enum: [true] },
      decidedAtOffset: int,
      events: arrayOf(object({ id: string, type: string, v: int, at: string, data: anyObject }, ['type', 'data'])),
      decisions: arrayOf(object({ command: string, commandId: string, eventIds: arrayOf(string) })),
      deployment: nullable(anyObject),
      cancelledDeployments: arrayOf(anyObject),
      placements: arrayOf(anyObject),
      kills: arrayOf(anyObject),
      declined: arrayOf(anyObject),
      notes: arrayOf(string),
    },
    ['dryRun', 'events', 'notes'],
  ),
  QueueItem: object(
    {
      app: { $ref: '#/components/schemas/AppView' },
      count: int,
      delay: object({ timeLeftSeconds: int, overdue: boolean }, ['timeLeftSeconds', 'overdue']),
      since: string,
      processedOffersSummary: object(
        {
          processedOffersCount: int,
          unusedOffersCount: int,
          rejectSummaryLastOffers: arrayOf(anyObject),
        },
        ['processedOffersCount', 'unusedOffersCount'],
      ),
      lastUnusedOffers: arrayOf(object({ reason: arrayOf(string) })),
    },
    ['app', 'count', 'delay', 'since', 'processedOffersSummary'],
  ),
  MarathonInfo: object(
    {
      name: string,
      version: string,
      buildref: string,
      elected: boolean,
      leader: nullable(string),
      frameworkId: string,
      marathon_config: anyObject,
      zookeeper_config: anyObject,
      http_config: anyObject,
    },
    ['name', 'version', 'elected', 'marathon_config', 'zookeeper_config', 'http_config'],
  ),
  /** A recorded event as /v1/events shows it: the envelope, its offset and its data. */
  RecordedEvent: object(
    {
      offset: int,
      id: string,
      type: string,
      v: int,
      at: string,
      actor: string,
      correlationId: string,
      causationId: nullable(string),
      data: anyObject,
    },
    ['offset', 'id', 'type', 'v', 'at', 'data'],
  ),
  /** Cairn's /v1 deployment: Marathon's fields, the request that started it and what it waits for. */
  DeploymentProgress: {
    allOf: [
      { $ref: '#/components/schemas/Deployment' },
      object({ request: anyObject, progress: arrayOf(anyObject) }, ['progress']),
    ],
  },
  /** A view of the whole cluster (/v1/state): apps, tasks, agents, deployments, the queue, at one offset. */
  ClusterView: object(
    {
      offset: int,
      at: nullable(string),
      hash: string,
      apps: arrayOf({ $ref: '#/components/schemas/App' }),
      tasks: arrayOf({ $ref: '#/components/schemas/Task' }),
      agents: arrayOf(anyObject),
      deployments: arrayOf({ $ref: '#/components/schemas/Deployment' }),
      queue: arrayOf(anyObject),
      replay: anyObject,
    },
    ['offset', 'hash', 'apps', 'tasks', 'agents', 'deployments', 'queue'],
  ),
  /** `GET /v1/{kind}/{id}/why`: the causal chain behind a task, app, deployment or agent. */
  Why: anyObject,
  ClusterVersion: object(
    { clusterVersion: int, formatLevel: int, release: string, instance: string, changed: boolean },
    ['clusterVersion', 'formatLevel', 'release', 'instance'],
  ),
  /** Marathon's GroupInfo (group.view.ts): `apps` and `groups` only when embedded (both by default). */
  Group: object(
    {
      id: string,
      apps: arrayOf({ $ref: '#/components/schemas/App' }),
      groups: arrayOf({ $ref: '#/components/schemas/Group' }),
      pods: { type: 'array', maxItems: 0, items: anyObject },
      dependencies: arrayOf(string),
      version: string,
    },
    ['id', 'pods', 'dependencies', 'version'],
  ),
  /**
   * Marathon's GroupUpdate, the body of group writes (validation/validate-group.ts): a change of the
   * group and its children, or `scaleBy` alone, or `version` alone. Ids and dependencies may be
   * relative (a child's to its group, a dependency to the group it is in).
   */
  GroupUpdate: {
    type: 'object',
    additionalProperties: false,
    properties: {
      id: string,
      apps: arrayOf({ $ref: '#/components/schemas/AppDefinition' }),
      groups: arrayOf({ $ref: '#/components/schemas/GroupUpdate' }),
      dependencies: arrayOf(string),
      enforceRole: boolean,
      scaleBy: { type: 'number', minimum: 0 },
      version: dateTime,
      pods: { type: 'array', maxItems: 0, items: anyObject, description: 'Pods are not supported: absent or empty' },
    },
  },
  /** An agent's maintenance (POST /v1/agents/{id}/drain and reactivate). */
  AgentDrain: object(
    {
      agentId: string,
      drain: nullable(
        object(
          { state: { type: 'string', enum: ['DRAINING', 'DRAINED'] }, startedAt: string, deadline: nullable(string) },
          ['state'],
        ),
      ),
      deployments: arrayOf(string),
      changed: boolean,
    },
    ['agentId', 'drain'],
  ),
} satisfies Record<string, JsonSchema>;

export type SchemaName = keyof typeof schemas | 'AppDefinition';

/** The named response schemas, as the document's `components.schemas`. */
export const RESPONSE_SCHEMAS: Readonly<Record<string, JsonSchema>> = schemas;
