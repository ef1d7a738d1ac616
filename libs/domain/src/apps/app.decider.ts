import { isoTime } from '@cairn/common/iso-time';
import { sameJsonExcept } from '@cairn/common/same-json';
import type { AppDefinition, CairnEvent } from '@cairn/events';
import { CommandMeta, CommandRejected, draft, EventDraft } from '../command';
import { countsAsInstance, type ClusterState, type Ownership } from '../state';
import type { AppCommand, CreateApp, DeleteApp, UpdateApp, UpdateApps } from './app.commands';
import { hasAppDefaults, withAppDefaults } from './app-defaults';
import { selectScaleDownVictims } from './kill-selection';
import { servicePortsTaken, withServicePorts } from './service-ports';
import { withDeployment } from '../deployments/deployment.decider';
import type { AppChange } from '../deployments/plan';

/** Fields the server owns: a body cannot set them (Marathon ignores them on input too). */
const SERVER_OWNED = ['version', 'versionInfo'] as const;

/** What sameConfig leaves out: a scale or a new version is not a new config. */
const NOT_CONFIG: ReadonlySet<string> = new Set([...SERVER_OWNED, 'instances']);

export function decideApp(command: AppCommand, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'CreateApp':
      return createApp(command, state);
    case 'UpdateApp':
      return updateApp(command, state);
    case 'UpdateApps':
      return updateApps(command, state);
    case 'DeleteApp':
      return deleteApp(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/** An app's events and the change they make, before a deployment is wrapped around them. */
export interface AppDecision {
  readonly events: EventDraft[];
  /** null: the command changes nothing. */
  readonly change: AppChange | null;
}

function createApp({ app, meta, force }: CreateApp, state: ClusterState): EventDraft[] {
  const id = app.id as string;
  if (state.apps.has(id)) throw new CommandRejected('conflict', `An app with id [${id}] already exists.`);
  return deployed(state, meta, id, force, createDecision(app, meta.now, undefined, state.apps));
}

function updateApp({ appId, body, partial, meta, force, mustExist }: UpdateApp, state: ClusterState): EventDraft[] {
  return deployed(state, meta, appId, force, updateDecision(state, appId, body, partial, mustExist === true, meta.now));
}

/** Every app's decision, then one deployment for all the changes (the plan orders them by dependencies). */
function updateApps({ apps, partial, mustExist, meta, force }: UpdateApps, state: ClusterState): EventDraft[] {
  const seen = new Set<string>();
  const events: EventDraft[] = [];
  const changes = new Map<string, AppChange>();
  // Service ports of the apps decided so far count as taken for the next ones.
  const decided = state.apps.fork();
  for (const { appId, body } of apps) {
    if (seen.has(appId)) throw new CommandRejected('invalid', `App '${appId}' is given more than once`);
    seen.add(appId);
    const decision = updateDecision(state, appId, body, partial, mustExist, meta.now, decided);
    events.push(...decision.events);
    if (decision.change?.target) decided.set(appId, decision.change.target);
    if (decision.change) changes.set(appId, decision.change);
  }
  if (changes.size === 0) return events;
  return withDeployment(state, meta, changes, force, events);
}

/** `apps`: the state's apps plus those decided earlier in the same command (for service ports). */
export function updateDecision(
  state: ClusterState,
  appId: string,
  body: Record<string, unknown>,
  partial: boolean,
  mustExist: boolean,
  now: number,
  apps: ReadonlyMap<string, AppDefinition> = state.apps,
): AppDecision {
  const input: Record<string, unknown> = { ...withoutServerOwned(body), id: appId };
  const current = state.apps.get(appId);
  if (!current && mustExist) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
  // The app may have been deleted since the request was checked: the body must stand alone.
  if (!current) return createDecision(input, now, undefined, apps);
  return changeDecision(state, current, input, partial, now, apps);
}

function deleteApp({ appId, meta, force }: DeleteApp, state: ClusterState): EventDraft[] {
  const current = state.apps.get(appId);
  if (!current) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
  return deployed(state, meta, appId, force, deleteDecision(state, current));
}

function deployed(state: ClusterState, meta: CommandMeta, appId: string, force: boolean, decision: AppDecision) {
  if (!decision.change) return decision.events;
  return withDeployment(state, meta, new Map([[appId, decision.change]]), force, decision.events);
}

/**
 * A new app from a body (id set), defaults filled, version = the decision time, service ports
 * assigned against `apps` (the apps of the state, plus any decided earlier in the same command).
 */
export function createDecision(
  body: Record<string, unknown>,
  now: number,
  previous: AppDefinition | undefined,
  apps: ReadonlyMap<string, AppDefinition>,
) {
  const version = nextVersion(now, previous);
  const definition = withAppDefaults(withoutServerOwned(body), version, {
    lastScalingAt: version,
    lastConfigChangeAt: version,
  });
  definition.portDefinitions = withServicePorts(
    definition.portDefinitions,
    previous?.portDefinitions,
    servicePortsTaken(apps, definition.id),
  );
  assertRunnable(definition);
  return { events: [draft('AppCreated', { app: definition })], change: { original: null, target: definition } };
}

/**
 * `current` becomes `input` (merged onto it when `partial`). Marathon treats a change of
 * `instances` alone as a scale: the config version stays, and surplus tasks are killed now.
 */
export function changeDecision(
  state: ClusterState,
  current: AppDefinition,
  input: Record<string, unknown>,
  partial: boolean,
  now: number,
  apps: ReadonlyMap<string, AppDefinition> = state.apps,
): AppDecision {
  const instances = partial ? scaleOnly(current, input) : undefined;
  if (instances === undefined) return changeDecisionInFull(state, current, input, partial, now, apps);
  assertRunnable(current);
  if (instances === current.instances) return { events: [], change: null };
  return scaleDecision(current, instances, now, scaleDownKills(state, current, instances));
}

/**
 * The instance count of a partial body that only scales an app whose definition has every
 * default (hasAppDefaults): merging it and filling defaults would give the same config back, so
 * the full path would find a scale (or nothing) too. Most updates are this (an autoscaler's, a
 * user's `{ instances }`), and the full path copies the whole app, fills its defaults and compares
 * the result with it. undefined: take the full path. app.decider.property.spec.ts holds both
 * paths to the same decisions.
 */
function scaleOnly(current: AppDefinition, input: Record<string, unknown>): number | undefined {
  if (typeof input.instances !== 'number' || input.id !== current.id) return undefined;
  for (const key in input) if (key !== 'id' && !NOT_CONFIG.has(key)) return undefined;
  return hasAppDefaults(current) ? input.instances : undefined;
}

/** changeDecision without the scale-only shortcut: what it must always agree with. */
export function changeDecisionInFull(
  state: ClusterState,
  current: AppDefinition,
  input: Record<string, unknown>,
  partial: boolean,
  now: number,
  apps: ReadonlyMap<string, AppDefinition> = state.apps,
): AppDecision {
  const version = nextVersion(now, current);
  const base = withoutServerOwned(current);
  // The legacy `ports` alias replaces the stored portDefinitions (which would otherwise win).
  if (input.ports !== undefined) delete base.portDefinitions;
  const merged = partial ? { ...base, ...withoutServerOwned(input) } : withoutServerOwned(input);
  const next = withAppDefaults(merged, version, current.versionInfo);
  let same = sameConfig(current, next);
  // Only a config change assigns service ports: a scale of an app logged with port 0 (before
  // decide assigned them) must stay a scale, not restart every task. Assigning them may make it
  // the same config again (a body's port 0 given the port the app has).
  if (!same) {
    const taken = servicePortsTaken(apps, next.id);
    next.portDefinitions = withServicePorts(next.portDefinitions, current.portDefinitions, taken);
    same = sameConfig(current, next);
  }
  assertRunnable(next);
  if (same) {
    if (next.instances === current.instances) return { events: [], change: null };
    return scaleDecision(current, next.instances, now, scaleDownKills(state, current, next.instances));
  }
  next.versionInfo = { lastScalingAt: version, lastConfigChangeAt: version };
  // Old tasks are replaced by the deployment's rolling restart, not killed here.
  return { events: [draft('AppUpdated', { app: next })], change: { original: current, target: next } };
}

/** Only the instance count changes (the config version stays); `kills` are the tasks it ends now. */
export function scaleDecision(
  current: AppDefinition,
  instances: number,
  now: number,
  kills: readonly EventDraft[],
): AppDecision {
  const version = nextVersion(now, current);
  const scaled: AppDefinition = {
    ...current,
    instances,
    version,
    versionInfo: { ...current.versionInfo, lastScalingAt: version },
  };
  return {
    events: [draft('AppScaled', { appId: current.id, instances, lastScalingAt: version }), ...kills],
    change: { original: current, target: scaled },
  };
}

export function deleteDecision(state: ClusterState, current: AppDefinition): AppDecision {
  const kills = [...state.tasks.ofApp(current.id)]
    .filter((t) => !t.killRequested)
    .map((t) => draft('TaskKillRequested', { taskId: t.taskId, agentId: t.agentId, reason: 'app deleted' }));
  return {
    events: [draft('AppDeleted', { appId: current.id }), ...kills],
    change: { original: current, target: null },
  };
}

/** A rolling restart with the same spec: only the config version moves. */
export function restartDecision(current: AppDefinition, now: number): AppDecision {
  const version = nextVersion(now, current);
  const target: AppDefinition = {
    ...current,
    version,
    versionInfo: { lastScalingAt: version, lastConfigChangeAt: version },
  };
  return {
    events: [draft('AppRestartRequested', { appId: current.id, version })],
    change: { original: current, target },
  };
}

function scaleDownKills(state: ClusterState, app: AppDefinition, instances: number): EventDraft[] {
  const live = [...state.tasks.ofApp(app.id)].filter(countsAsInstance);
  return selectScaleDownVictims(app, live, live.length - instances, state.agents).map((t) =>
    draft('TaskKillRequested', { taskId: t.taskId, agentId: t.agentId, reason: 'scaled down' }),
  );
}

/** Applies one app event. Mutates `state` (see ClusterState and Ownership). */
export function evolveApp(state: ClusterState, event: CairnEvent, ownership: Ownership = 'shared'): void {
  switch (event.type) {
    case 'AppCreated':
      state.apps.set(event.data.app.id, event.data.app);
      return;
    case 'AppUpdated':
      state.apps.set(event.data.app.id, event.data.app);
      state.launchDelays.delete(event.data.app.id); // a new config starts without backoff
      return;
    case 'AppScaled': {
      const app = state.apps.get(event.data.appId);
      if (!app) return;
      // Clone (unless owned), then set: a spread with overrides takes a slower path in V8.
      const scaled = ownership === 'owned' ? app : { ...app };
      scaled.instances = event.data.instances;
      scaled.version = event.data.lastScalingAt;
      // In the schema's order (lastScalingAt first), as the log holds it: a decision that copies
      // this app into an event (a deployment's original and target) is then written as it is,
      // without a reordering copy (libs/events encode-check.ts).
      scaled.versionInfo = {
        lastScalingAt: event.data.lastScalingAt,
        lastConfigChangeAt: app.versionInfo.lastConfigChangeAt,
      };
      state.apps.set(event.data.appId, scaled);
      return;
    }
    case 'AppRestartRequested': {
      const app = state.apps.get(event.data.appId);
      if (!app) return;
      const restarted = ownership === 'owned' ? app : { ...app };
      restarted.version = event.data.version;
      restarted.versionInfo = { lastScalingAt: event.data.version, lastConfigChangeAt: event.data.version };
      state.apps.set(event.data.appId, restarted);
      state.launchDelays.delete(event.data.appId);
      return;
    }
    case 'AppDeleted':
      state.apps.delete(event.data.appId);
      state.launchDelays.delete(event.data.appId);
      state.lastTaskFailure.delete(event.data.appId);
      return;
    default:
      return;
  }
}

export const NOT_RUNNABLE_MESSAGE = "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";

/** Marathon's rule, kept by the domain too: what the edge checked may have changed by decide time. */
function assertRunnable(app: AppDefinition): void {
  const hasCmd = typeof app.cmd === 'string';
  const hasArgs = Array.isArray(app.args);
  const hasContainer = app.container !== undefined && app.container !== null;
  if ((hasCmd && hasArgs) || (!hasCmd && !hasArgs && !hasContainer)) {
    throw new CommandRejected('invalid', 'Object is not valid', [{ path: '/', errors: [NOT_RUNNABLE_MESSAGE] }]);
  }
}

/** Versions are the decision time, but strictly increasing per app (two changes in one ms differ). */
function nextVersion(now: number, current: AppDefinition | undefined): string {
  const previous = current ? Date.parse(current.version) : -Infinity;
  return isoTime(Math.max(now, previous + 1));
}

function withoutServerOwned(app: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...app };
  for (const field of SERVER_OWNED) delete copy[field];
  return copy;
}

/** Equal apart from instances and the server-owned fields. */
function sameConfig(a: AppDefinition, b: AppDefinition): boolean {
  return sameJsonExcept(a, b, NOT_CONFIG);
}
