/**
 * The response profile of /v2: Marathon 1.6's field sets as marathon-python 0.13 (our conformance
 * client, notes §9) accepts them. That client builds every model by passing each response key to
 * a constructor with fixed keywords, so a single extra key anywhere fails the whole call with a
 * TypeError. The harness HTTP client checks every /v2 response of the e2e suite against these
 * shapes (see http-client.ts), so a field that would break the client fails the test that saw it.
 *
 * These sets are written from the client's models (marathon/models/*.py), independently of the
 * master's renderers: checking the renderers against their own lists would prove nothing.
 */

/** A value the client does not take apart (a number, a string, a dict it keeps as is). */
export type Shape =
  | { readonly kind: 'any' }
  | { readonly kind: 'object'; readonly name: string; readonly fields: Readonly<Record<string, Shape>> }
  | { readonly kind: 'array'; readonly of: Shape }
  | { readonly kind: 'map'; readonly of: Shape }
  /** The body decides (e.g. a kill answers `{task}` or a deploymentResult). */
  | { readonly kind: 'choice'; readonly pick: (value: unknown) => Shape };

const ANY: Shape = { kind: 'any' };
const arrayOf = (of: Shape): Shape => ({ kind: 'array', of });
const mapOf = (of: Shape): Shape => ({ kind: 'map', of });
/** An object whose listed keys hold plain values (its nested shapes given in `nested`). */
function object(name: string, keys: readonly string[], nested: Record<string, Shape> = {}): Shape {
  const fields: Record<string, Shape> = {};
  for (const key of keys) fields[key] = nested[key] ?? ANY;
  for (const key of Object.keys(nested)) if (!keys.includes(key)) throw new Error(`${name}: ${key} not listed`);
  return { kind: 'object', name, fields };
}

/** MarathonHealthCheckResult. */
export const HEALTH_RESULT = object('health check result', [
  'alive',
  'consecutiveFailures',
  'firstSuccess',
  'lastFailure',
  'lastSuccess',
  'taskId',
  'lastFailureCause',
  'instanceId',
]);

/** MarathonTask (and MarathonIpAddress). */
export const TASK = object(
  'task',
  [
    'appId',
    'healthCheckResults',
    'host',
    'id',
    'ports',
    'servicePorts',
    'slaveId',
    'stagedAt',
    'startedAt',
    'version',
    'ipAddresses',
    'state',
    'localVolumes',
    'region',
    'zone',
    'role',
  ],
  {
    healthCheckResults: arrayOf(HEALTH_RESULT),
    ipAddresses: arrayOf(object('ip address', ['ipAddress', 'protocol'])),
  },
);

/** MarathonTaskFailure. */
export const TASK_FAILURE = object('task failure', [
  'appId',
  'host',
  'message',
  'taskId',
  'instanceId',
  'slaveId',
  'state',
  'timestamp',
  'version',
]);

/** MarathonDeploymentAction. */
export const DEPLOYMENT_ACTION = object('deployment action', [
  'action',
  'app',
  'apps',
  'type',
  'readinessCheckResults',
  'pod',
]);

/** MarathonDeployment (steps are MarathonDeploymentStep: `actions` only). */
export const DEPLOYMENT = object(
  'deployment',
  ['affectedApps', 'currentActions', 'currentStep', 'id', 'steps', 'totalSteps', 'version', 'affectedPods'],
  {
    currentActions: arrayOf(DEPLOYMENT_ACTION),
    steps: arrayOf(object('deployment step', ['actions'], { actions: arrayOf(DEPLOYMENT_ACTION) })),
  },
);

const TASK_STATS_TYPE = object('task stats type', ['stats'], {
  stats: object('task stats', ['counts', 'lifeTime'], {
    counts: object('task stats counts', ['staged', 'running', 'healthy', 'unhealthy']),
    lifeTime: object('task stats life time', ['averageSeconds', 'medianSeconds']),
  }),
});

/** MarathonContainer and its strict parts (MarathonDockerContainer takes any key). */
const CONTAINER = object('container', ['docker', 'type', 'portMappings', 'volumes'], {
  portMappings: arrayOf(
    object('port mapping', ['name', 'containerPort', 'hostPort', 'servicePort', 'protocol', 'labels']),
  ),
  volumes: arrayOf(object('volume', ['containerPath', 'hostPath', 'mode', 'persistent', 'external'])),
});

/** MarathonApp, with its strict nested models (health checks take any key: not checked). */
export const APP = object(
  'app',
  [
    'acceptedResourceRoles',
    'args',
    'backoffFactor',
    'backoffSeconds',
    'cmd',
    'constraints',
    'container',
    'cpus',
    'dependencies',
    'deployments',
    'disk',
    'env',
    'executor',
    'healthChecks',
    'id',
    'role',
    'instances',
    'killSelection',
    'labels',
    'lastTaskFailure',
    'maxLaunchDelaySeconds',
    'mem',
    'ports',
    'requirePorts',
    'storeUrls',
    'taskRateLimit',
    'tasks',
    'tasksRunning',
    'tasksStaged',
    'tasksHealthy',
    'taskKillGracePeriodSeconds',
    'tasksUnhealthy',
    'upgradeStrategy',
    'unreachableStrategy',
    'uris',
    'user',
    'version',
    'versionInfo',
    'ipAddress',
    'fetch',
    'taskStats',
    'readinessChecks',
    'readinessCheckResults',
    'secrets',
    'portDefinitions',
    'residency',
    'gpus',
    'networks',
  ],
  {
    container: CONTAINER,
    deployments: arrayOf(DEPLOYMENT),
    lastTaskFailure: TASK_FAILURE,
    tasks: arrayOf(TASK),
    upgradeStrategy: object('upgrade strategy', ['maximumOverCapacity', 'minimumHealthCapacity']),
    unreachableStrategy: object('unreachable strategy', [
      'unreachableInactiveAfterSeconds',
      'unreachableExpungeAfterSeconds',
      'inactiveAfterSeconds',
      'expungeAfterSeconds',
    ]),
    versionInfo: object('version info', ['lastScalingAt', 'lastConfigChangeAt']),
    taskStats: object(
      'task stats by version',
      ['startedAfterLastScaling', 'withLatestConfig', 'withOutdatedConfig', 'totalSummary'],
      {
        startedAfterLastScaling: TASK_STATS_TYPE,
        withLatestConfig: TASK_STATS_TYPE,
        withOutdatedConfig: TASK_STATS_TYPE,
        totalSummary: TASK_STATS_TYPE,
      },
    ),
    readinessChecks: arrayOf(
      object('readiness check', [
        'name',
        'protocol',
        'path',
        'portName',
        'intervalSeconds',
        'httpStatusCodesForReady',
        'preserveLastResponse',
        'timeoutSeconds',
      ]),
    ),
    secrets: mapOf(object('secret', ['source'])),
    portDefinitions: arrayOf(object('port definition', ['port', 'protocol', 'name', 'labels'])),
    residency: object('residency', ['relaunchEscalationTimeoutSeconds', 'taskLostBehavior']),
  },
);

/** MarathonGroup (no `enforceRole`: 0.13's model predates it). */
export const GROUP: Shape = {
  kind: 'object',
  name: 'group',
  fields: {
    apps: arrayOf(APP),
    dependencies: ANY,
    get groups(): Shape {
      return arrayOf(GROUP);
    },
    id: ANY,
    pods: ANY,
    version: ANY,
  },
};

/** MarathonQueueItem (no `role`); the offer summaries are kept as dicts, in Marathon's shape. */
export const QUEUE_ITEM = object(
  'queue item',
  ['app', 'overdue', 'count', 'delay', 'since', 'processedOffersSummary', 'lastUnusedOffers'],
  {
    app: APP,
    delay: object('queue delay', ['timeLeftSeconds', 'overdue']),
    processedOffersSummary: object(
      'processed offers summary',
      [
        'processedOffersCount',
        'unusedOffersCount',
        'lastUnusedOfferAt',
        'lastUsedOfferAt',
        'rejectSummaryLastOffers',
        'rejectSummaryLaunchAttempt',
      ],
      {
        rejectSummaryLastOffers: arrayOf(object('reject summary', ['reason', 'declined', 'processed'])),
        rejectSummaryLaunchAttempt: arrayOf(object('reject summary', ['reason', 'declined', 'processed'])),
      },
    ),
    lastUnusedOffers: arrayOf(object('unused offer', ['offer', 'reason', 'timestamp'])),
  },
);

/** MarathonInfo with MarathonConfig, MarathonZooKeeperConfig, MarathonHttpConfig, MarathonEventSubscriber. */
export const INFO = object(
  'info',
  [
    'event_subscriber',
    'frameworkId',
    'http_config',
    'leader',
    'marathon_config',
    'name',
    'version',
    'elected',
    'zookeeper_config',
    'buildref',
  ],
  {
    event_subscriber: object('event subscriber', ['type', 'http_endpoints']),
    http_config: object('http config', ['assets_path', 'http_port', 'https_port']),
    zookeeper_config: object('zookeeper config', [
      'zk',
      'zk_future_timeout',
      'zk_hosts',
      'zk_max_versions',
      'zk_path',
      'zk_session_timeout',
      'zk_state',
      'zk_timeout',
      'zk_connection_timeout',
      'zk_compression',
      'zk_compression_threshold',
      'zk_max_node_size',
    ]),
    marathon_config: object('marathon config', [
      'checkpoint',
      'executor',
      'failover_timeout',
      'framework_name',
      'ha',
      'hostname',
      'leader_proxy_connection_timeout_ms',
      'leader_proxy_read_timeout_ms',
      'local_port_min',
      'local_port_max',
      'maintenance_mode',
      'master',
      'mesos_leader_ui_url',
      'mesos_role',
      'mesos_user',
      'new_group_enforce_role',
      'webui_url',
      'reconciliation_initial_delay',
      'reconciliation_interval',
      'task_launch_timeout',
      'marathon_store_timeout',
      'task_reservation_timeout',
      'features',
      'access_control_allow_origin',
      'decline_offer_duration',
      'default_network_name',
      'env_vars_prefix',
      'launch_token',
      'launch_token_refresh_interval',
      'max_instances_per_offer',
      'mesos_bridge_name',
      'mesos_heartbeat_failure_threshold',
      'mesos_heartbeat_interval',
      'min_revive_offers_interval',
      'offer_matching_timeout',
      'on_elected_prepare_timeout',
      'revive_offers_for_new_apps',
      'revive_offers_repetitions',
      'scale_apps_initial_delay',
      'scale_apps_interval',
      'store_cache',
      'task_launch_confirm_timeout',
      'task_lost_expunge_initial_delay',
      'task_lost_expunge_interval',
    ]),
  },
);

/** Marathon's deploymentResult (the client returns it as a dict; Marathon's shape all the same). */
export const DEPLOYMENT_RESULT = object('deployment result', ['deploymentId', 'version']);

/** marathon-python 0.13.0's EventFactory.event_to_class (models/events.py): it raises on any other eventType. */
export const CLIENT_EVENT_TYPES: ReadonlySet<string> = new Set([
  'api_post_event',
  'status_update_event',
  'framework_message_event',
  'subscribe_event',
  'unsubscribe_event',
  'add_health_check_event',
  'remove_health_check_event',
  'failed_health_check_event',
  'health_status_changed_event',
  'unhealthy_task_kill_event',
  'group_change_success',
  'group_change_failed',
  'deployment_success',
  'deployment_failed',
  'deployment_info',
  'deployment_step_success',
  'deployment_step_failure',
  'event_stream_attached',
  'event_stream_detached',
  'app_terminated_event',
  'instance_changed_event',
  'unknown_instance_terminated_event',
  'unhealthy_instance_kill_event',
  'instance_health_changed_event',
  'pod_created_event',
  'pod_updated_event',
  'pod_deleted_event',
]);

/** Marathon's error bodies: `{message}`, plus `details` (422, 400) or `deployments` (409). */
export const ERROR = object('error', ['message', 'details', 'deployments'], {
  deployments: arrayOf(object('locking deployment', ['id'])),
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const wrapped = (key: string, of: Shape, name = `{${key}}`) => object(name, [key], { [key]: of });
/** A deployable write answers a deploymentResult; some also the thing itself. */
const orDeploymentResult = (other: Shape): Shape => ({
  kind: 'choice',
  pick: (value) => (isObject(value) && 'deploymentId' in value ? DEPLOYMENT_RESULT : other),
});

interface Route {
  readonly method: string | readonly string[];
  readonly path: RegExp;
  readonly shape: Shape;
}

/**
 * Every /v2 route with a JSON body, by method and path (the query string is not part of it).
 * App ids are paths: `tasks`, `versions` and `restart` are reserved last segments.
 */
const ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/v2\/info$/, shape: INFO },
  { method: 'GET', path: /^\/v2\/leader$/, shape: wrapped('leader', ANY) },
  { method: 'DELETE', path: /^\/v2\/leader$/, shape: wrapped('message', ANY) },
  { method: 'GET', path: /^\/v2\/queue$/, shape: wrapped('queue', arrayOf(QUEUE_ITEM)) },
  { method: 'GET', path: /^\/v2\/deployments$/, shape: arrayOf(DEPLOYMENT) },
  { method: 'DELETE', path: /^\/v2\/deployments\/[^/]+$/, shape: DEPLOYMENT_RESULT },
  { method: 'GET', path: /^\/v2\/tasks$/, shape: wrapped('tasks', arrayOf(TASK)) },
  { method: 'POST', path: /^\/v2\/tasks\/delete$/, shape: orDeploymentResult(wrapped('tasks', arrayOf(TASK))) },
  { method: 'GET', path: /^\/v2\/groups(\/.*)?\/versions$/, shape: arrayOf(ANY) },
  { method: 'GET', path: /^\/v2\/groups(\/.*)?$/, shape: GROUP },
  { method: ['POST', 'PUT', 'DELETE'], path: /^\/v2\/groups(\/.*)?$/, shape: DEPLOYMENT_RESULT },
  { method: 'GET', path: /^\/v2\/apps\/?$/, shape: wrapped('apps', arrayOf(APP)) },
  { method: 'POST', path: /^\/v2\/apps\/?$/, shape: APP },
  { method: ['PUT', 'PATCH'], path: /^\/v2\/apps\/?$/, shape: DEPLOYMENT_RESULT },
  { method: 'GET', path: /^\/v2\/apps\/.+\/tasks\/?$/, shape: wrapped('tasks', arrayOf(TASK)) },
  { method: 'DELETE', path: /^\/v2\/apps\/.+\/tasks\/?$/, shape: orDeploymentResult(wrapped('tasks', arrayOf(TASK))) },
  { method: 'DELETE', path: /^\/v2\/apps\/.+\/tasks\/[^/]+$/, shape: orDeploymentResult(wrapped('task', TASK)) },
  { method: 'GET', path: /^\/v2\/apps\/.+\/versions\/?$/, shape: wrapped('versions', arrayOf(ANY)) },
  { method: 'GET', path: /^\/v2\/apps\/.+\/versions\/[^/]+$/, shape: APP },
  { method: 'POST', path: /^\/v2\/apps\/.+\/restart\/?$/, shape: DEPLOYMENT_RESULT },
  { method: 'GET', path: /^\/v2\/apps\/.+\/\*$/, shape: wrapped('*', arrayOf(APP)) },
  { method: 'GET', path: /^\/v2\/apps\/.+$/, shape: wrapped('app', APP) },
  // PUT answers 201 with the app when it created it, else a deploymentResult.
  { method: 'PUT', path: /^\/v2\/apps\/.+$/, shape: orDeploymentResult(APP) },
  { method: ['PATCH', 'DELETE'], path: /^\/v2\/apps\/.+$/, shape: DEPLOYMENT_RESULT },
];

/** The shape of a /v2 response, by method, path and status; undefined when no route matches. */
export function shapeOf(method: string, pathname: string, status: number): Shape | undefined {
  if (status >= 400) return ERROR;
  const upper = method.toUpperCase();
  const route = ROUTES.find((r) => [r.method].flat().includes(upper) && r.path.test(pathname));
  return route?.shape;
}

/** One field outside the profile: where (`app.tasks[0].foo`) and in which model. */
export interface ShapeViolation {
  readonly path: string;
  readonly model: string;
}

/** Every key of `value` outside `shape`, depth first. Values of any type are accepted where present. */
export function shapeViolations(value: unknown, shape: Shape, path = '$'): ShapeViolation[] {
  if (value === null || value === undefined) return [];
  switch (shape.kind) {
    case 'any':
      return [];
    case 'choice':
      return shapeViolations(value, shape.pick(value), path);
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => shapeViolations(item, shape.of, `${path}[${i}]`)) : [];
    case 'map':
      return isObject(value)
        ? Object.entries(value).flatMap(([key, item]) => shapeViolations(item, shape.of, `${path}.${key}`))
        : [];
    case 'object':
      if (!isObject(value)) return [];
      return Object.entries(value).flatMap(([key, item]) =>
        Object.hasOwn(shape.fields, key)
          ? shapeViolations(item, shape.fields[key], `${path}.${key}`)
          : [{ path: `${path}.${key}`, model: shape.name }],
      );
  }
}

/** Thrown by the harness HTTP client for a /v2 response outside the profile. */
export class MarathonShapeError extends Error {
  constructor(
    readonly route: string,
    readonly violations: readonly ShapeViolation[],
  ) {
    super(
      violations.length === 0
        ? `${route}: no response shape is known for this /v2 route; add it to test/harness/marathon-shapes.ts`
        : `${route}: fields outside Marathon's /v2 profile (marathon-python would reject them): ` +
            violations.map((v) => `${v.path} (not a field of ${v.model})`).join(', '),
    );
    this.name = new.target.name;
  }
}

/**
 * Checks one response: throws MarathonShapeError naming the route and each unknown field path.
 * Only /v2 JSON bodies are checked (SSE, text and empty bodies are not models).
 */
export function checkMarathonResponse(method: string, url: URL, status: number, body: unknown, json: boolean): void {
  if (!url.pathname.startsWith('/v2/') || !json) return;
  // `?dryRun=true` (Cairn's opt-in extension, docs/marathon-api.md "Dry run") answers 200 in Cairn's
  // own shape, which no Marathon client asks for; its refusals are still Marathon's errors.
  if (status < 400 && isDryRun(url)) return;
  const route = `${method.toUpperCase()} ${url.pathname} (${status})`;
  const shape = shapeOf(method, url.pathname, status);
  if (!shape) throw new MarathonShapeError(route, []);
  const violations = shapeViolations(body, shape);
  if (violations.length > 0) throw new MarathonShapeError(route, violations);
}

function isDryRun(url: URL): boolean {
  const value = url.searchParams.get('dryRun');
  return value !== null && value.toLowerCase() !== 'false';
}
