import { isHealthy, isUnhealthy, lockingDeployments, type ClusterState, type TaskRecord } from '@cairn/domain';
import type { AppDefinition } from '@cairn/events';
import { FULL_SINGLE_APP_EMBED, type AppEmbed } from './app-embed';
import { taskInfo, tasksOfApp } from './task.view';

type Json = Record<string, unknown>;

const STAGED = new Set(['TASK_STAGING', 'TASK_STARTING']);

/**
 * The definition fields /v2 renders: Marathon 1.6's AppDefinition, as marathon-python 0.13's
 * MarathonApp accepts them (notes §9). That client passes every response key to a constructor
 * with fixed keywords, so one extra key fails the whole call: stored fields outside this list
 * (newer Marathon fields Cairn validates, `check`, `executorResources`, `resourceLimits`,
 * `tty`, or anything unknown) are kept in the log but not rendered on /v2.
 */
const APP_FIELDS = [
  'id',
  'cmd',
  'args',
  'user',
  'env',
  'instances',
  'cpus',
  'mem',
  'disk',
  'gpus',
  'executor',
  'constraints',
  'uris',
  'fetch',
  'storeUrls',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'container',
  'healthChecks',
  'readinessChecks',
  'dependencies',
  'upgradeStrategy',
  'labels',
  'acceptedResourceRoles',
  'ipAddress',
  'version',
  'residency',
  'secrets',
  'taskKillGracePeriodSeconds',
  'unreachableStrategy',
  'killSelection',
  'requirePorts',
  'portDefinitions',
  'networks',
  'role',
  'versionInfo',
] as const;

/** Nested objects the client parses with fixed keywords too (health checks and docker take any key). */
const CONTAINER_FIELDS = ['type', 'docker', 'portMappings', 'volumes'];
const PORT_MAPPING_FIELDS = ['name', 'containerPort', 'hostPort', 'servicePort', 'protocol', 'labels'];
const VOLUME_FIELDS = ['containerPath', 'hostPath', 'mode', 'persistent', 'external'];
const PORT_DEFINITION_FIELDS = ['port', 'protocol', 'name', 'labels'];
const READINESS_CHECK_FIELDS = [
  'name',
  'protocol',
  'path',
  'portName',
  'intervalSeconds',
  'timeoutSeconds',
  'httpStatusCodesForReady',
  'preserveLastResponse',
];
const UPGRADE_STRATEGY_FIELDS = ['minimumHealthCapacity', 'maximumOverCapacity'];
const UNREACHABLE_STRATEGY_FIELDS = ['inactiveAfterSeconds', 'expungeAfterSeconds'];
const RESIDENCY_FIELDS = ['relaunchEscalationTimeoutSeconds', 'taskLostBehavior'];
const SECRET_FIELDS = ['source'];
const TASK_FAILURE_FIELDS = ['appId', 'host', 'message', 'taskId', 'slaveId', 'state', 'timestamp', 'version'];

/**
 * An app definition as /v2 shows it: the version endpoint (`/v2/apps/{id}/versions/{v}`), the
 * queue, and the base of every AppInfo. `labels` is always present (Marathon always renders it).
 */
export function appDefinitionView(app: AppDefinition): Json {
  const out = pick(app, APP_FIELDS);
  out.labels = app.labels ?? {};
  if (isObject(out.container)) out.container = containerView(out.container);
  if (Array.isArray(out.portDefinitions)) out.portDefinitions = out.portDefinitions.map(pickOf(PORT_DEFINITION_FIELDS));
  if (Array.isArray(out.readinessChecks)) out.readinessChecks = out.readinessChecks.map(pickOf(READINESS_CHECK_FIELDS));
  if (isObject(out.upgradeStrategy)) out.upgradeStrategy = pick(out.upgradeStrategy, UPGRADE_STRATEGY_FIELDS);
  // `"disabled"` (a string) is Marathon's other form of unreachableStrategy: shown as it is.
  if (isObject(out.unreachableStrategy)) {
    out.unreachableStrategy = pick(out.unreachableStrategy, UNREACHABLE_STRATEGY_FIELDS);
  }
  if (isObject(out.residency)) out.residency = pick(out.residency, RESIDENCY_FIELDS);
  if (isObject(out.secrets)) {
    out.secrets = Object.fromEntries(
      Object.entries(out.secrets).map(([name, secret]) => [
        name,
        isObject(secret) ? pick(secret, SECRET_FIELDS) : secret,
      ]),
    );
  }
  return out;
}

function containerView(container: Json): Json {
  const out = pick(container, CONTAINER_FIELDS);
  if (Array.isArray(out.portMappings)) out.portMappings = out.portMappings.map(pickOf(PORT_MAPPING_FIELDS));
  if (Array.isArray(out.volumes)) out.volumes = out.volumes.map(pickOf(VOLUME_FIELDS));
  return out;
}

export interface AppInfoOverrides {
  /** The app's tasks when the caller grouped them already (or knows there are none yet). */
  readonly tasks?: readonly TaskRecord[];
  /** A write answers with its own deployments: a later write may already have finished them. */
  readonly deploymentIds?: readonly string[];
  /** The master's clock (task life times of `taskStats`); default: the wall clock. */
  readonly nowMs?: number;
}

/**
 * Marathon's AppInfo: the definition plus what `embed` asks for (see app-embed.ts for what each
 * endpoint always embeds). Without an embed it is the full single-app view, as the replies to
 * create and update show it.
 */
export function appInfo(
  app: AppDefinition,
  state: ClusterState,
  embed: AppEmbed = FULL_SINGLE_APP_EMBED,
  overrides: AppInfoOverrides = {},
): Json {
  const own = overrides.tasks ?? tasksOfApp(state, app.id);
  const { head, tail } = appInfoSections(app, state, embed, { ...overrides, tasks: own });
  const info = { ...appDefinitionView(app), ...head };
  if (embed.tasks) info.tasks = own.map((task) => taskInfo(task, state));
  return { ...info, ...tail };
}

/**
 * What an AppInfo adds to the definition, in Marathon's key order: `head` (counts, deployments,
 * readiness) comes before the embedded `tasks`, `tail` (lastTaskFailure, taskStats) after them.
 * Apart so that read-views.ts can put the parts of an AppInfo together from JSON it serialised once.
 */
export function appInfoSections(
  app: AppDefinition,
  state: ClusterState,
  embed: AppEmbed,
  overrides: AppInfoOverrides & { readonly tasks: readonly TaskRecord[]; readonly counts?: TaskCounts },
): { head: Json; tail: Json } {
  const own = overrides.tasks;
  const head: Json = {};
  if (embed.counts) Object.assign(head, overrides.counts ?? taskCounts(own));
  if (embed.deployments) {
    const ids = overrides.deploymentIds ?? lockingDeployments(state, [app.id]).map((d) => d.deploymentId);
    head.deployments = ids.map((id) => ({ id }));
  }
  if (embed.readiness) head.readinessCheckResults = readinessCheckResults(own);
  const tail: Json = {};
  if (embed.lastTaskFailure) {
    const failure = state.lastTaskFailure.get(app.id);
    if (failure) tail.lastTaskFailure = pick(failure as unknown as Json, TASK_FAILURE_FIELDS);
  }
  if (embed.taskStats) tail.taskStats = taskStats(app, own, overrides.nowMs ?? Date.now());
  return { head, tail };
}

/** An AppInfo's task counts (`embed=apps.counts`), in Marathon's key order. */
export interface TaskCounts {
  readonly tasksStaged: number;
  readonly tasksRunning: number;
  readonly tasksHealthy: number;
  readonly tasksUnhealthy: number;
}

export function taskCounts(tasks: readonly TaskRecord[]): TaskCounts {
  let staged = 0;
  let running = 0;
  let healthy = 0;
  let unhealthy = 0;
  for (const task of tasks) {
    if (STAGED.has(task.state)) staged++;
    if (task.state === 'TASK_RUNNING') running++;
    if (task.healthChecks.length > 0 && isHealthy(task)) healthy++;
    if (task.healthChecks.length > 0 && isUnhealthy(task)) unhealthy++;
  }
  return { tasksStaged: staged, tasksRunning: running, tasksHealthy: healthy, tasksUnhealthy: unhealthy };
}

/**
 * Marathon's readinessCheckResults: one per readiness check of each task that has some. The agent
 * reports transitions only, so the verdict is the task's (all its checks pass together).
 */
function readinessCheckResults(tasks: readonly TaskRecord[]): Json[] {
  return tasks.flatMap((task) =>
    task.readinessChecks.map((check) => ({ name: check.name, taskId: task.taskId, ready: task.ready })),
  );
}

/**
 * Marathon's task statistics (`TaskStatsByVersion`): counts and the life time of running tasks,
 * for all tasks and for those started after the last scaling, on the latest config, and on an
 * older one. A category without tasks is left out, as Marathon does.
 */
export function taskStats(app: AppDefinition, tasks: readonly TaskRecord[], nowMs: number): Json {
  const { lastScalingAt, lastConfigChangeAt } = app.versionInfo;
  const categories: [string, readonly TaskRecord[]][] = [
    ['startedAfterLastScaling', tasks.filter((t) => t.stagedAt >= lastScalingAt)],
    ['withLatestConfig', tasks.filter((t) => t.appVersion >= lastConfigChangeAt)],
    ['withOutdatedConfig', tasks.filter((t) => t.appVersion < lastConfigChangeAt)],
    ['totalSummary', tasks],
  ];
  return Object.fromEntries(
    categories.filter(([, some]) => some.length > 0).map(([name, some]) => [name, { stats: statsOf(some, nowMs) }]),
  );
}

function statsOf(tasks: readonly TaskRecord[], nowMs: number): Json {
  const withChecks = tasks.filter((t) => t.healthChecks.length > 0);
  const lifeTimes = tasks
    .flatMap((t) => (t.state === 'TASK_RUNNING' && t.startedAt ? [(nowMs - Date.parse(t.startedAt)) / 1000] : []))
    .sort((a, b) => a - b);
  const stats: Json = {
    counts: {
      staged: tasks.filter((t) => STAGED.has(t.state)).length,
      running: tasks.filter((t) => t.state === 'TASK_RUNNING').length,
      healthy: withChecks.filter(isHealthy).length,
      unhealthy: withChecks.filter(isUnhealthy).length,
    },
  };
  if (lifeTimes.length > 0) {
    const middle = Math.floor(lifeTimes.length / 2);
    stats.lifeTime = {
      averageSeconds: lifeTimes.reduce((sum, s) => sum + s, 0) / lifeTimes.length,
      medianSeconds: lifeTimes.length % 2 === 1 ? lifeTimes[middle] : (lifeTimes[middle - 1] + lifeTimes[middle]) / 2,
    };
  }
  return stats;
}

function pick(source: object, keys: readonly string[]): Json {
  const from = source as Json;
  const out: Json = {};
  for (const key of keys) if (Object.hasOwn(from, key) && from[key] !== undefined) out[key] = from[key];
  return out;
}

function pickOf(keys: readonly string[]): (value: unknown) => unknown {
  return (value) => (isObject(value) ? pick(value, keys) : value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
