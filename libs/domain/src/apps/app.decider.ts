import { isoTime } from '@cairn/common/iso-time';
import { canonicalJson } from '@cairn/common/canonical-json';
import type { AppDefinition, CairnEvent } from '@cairn/events';
import { CommandRejected, draft, EventDraft } from '../command';
import type { ClusterState, Ownership, TaskRecord } from '../state';
import type { AppCommand, CreateApp, DeleteApp, UpdateApp } from './app.commands';
import { withAppDefaults } from './app-defaults';

/** Fields the server owns: a body cannot set them (Marathon ignores them on input too). */
const SERVER_OWNED = ['version', 'versionInfo'] as const;

export function decideApp(command: AppCommand, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'CreateApp':
      return createApp(command, state);
    case 'UpdateApp':
      return updateApp(command, state);
    case 'DeleteApp':
      return deleteApp(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function createApp({ app, meta }: CreateApp, state: ClusterState): EventDraft[] {
  const id = app.id as string;
  if (state.apps.has(id)) throw new CommandRejected('conflict', `An app with id [${id}] already exists.`);
  const version = isoTime(meta.now);
  const definition = withAppDefaults(withoutServerOwned(app), version, {
    lastScalingAt: version,
    lastConfigChangeAt: version,
  });
  assertRunnable(definition);
  return [draft('AppCreated', { app: definition })];
}

function updateApp({ appId, body, partial, meta }: UpdateApp, state: ClusterState): EventDraft[] {
  const current = state.apps.get(appId);
  const version = nextVersion(meta.now, current);
  const input: Record<string, unknown> = { ...withoutServerOwned(body), id: appId };
  if (!current) {
    // The app may have been deleted since the request was checked: the body must stand alone.
    const definition = withAppDefaults(input, version, { lastScalingAt: version, lastConfigChangeAt: version });
    assertRunnable(definition);
    return [draft('AppCreated', { app: definition })];
  }
  const base = withoutServerOwned(current);
  // The legacy `ports` alias replaces the stored portDefinitions (which would otherwise win).
  if (input.ports !== undefined) delete base.portDefinitions;
  const merged = partial ? { ...base, ...input } : input;
  const next = withAppDefaults(merged, version, current.versionInfo);
  assertRunnable(next);
  if (sameConfig(current, next)) {
    // Marathon treats an update that only changes `instances` as a scale: the config version stays.
    if (next.instances === current.instances) return [];
    return [
      draft('AppScaled', { appId, instances: next.instances, lastScalingAt: version }),
      ...scaleDownKills(state, appId, next.instances, next.killSelection),
    ];
  }
  next.versionInfo = { lastScalingAt: version, lastConfigChangeAt: version };
  return [draft('AppUpdated', { app: next }), ...scaleDownKills(state, appId, next.instances, next.killSelection)];
}

/** Marathon's kill selection: tasks not running yet go first, then the youngest (default) or oldest. */
function scaleDownKills(state: ClusterState, appId: string, instances: number, selection: string): EventDraft[] {
  const active = [...state.tasks.values()].filter((t) => t.appId === appId && !t.killRequested);
  if (active.length <= instances) return [];
  const byAge = byAgeAscending(active);
  const ordered = selection === 'OLDEST_FIRST' ? byAge : [...byAge].reverse();
  const preference = [
    ...ordered.filter((t) => t.state !== 'TASK_RUNNING'),
    ...ordered.filter((t) => t.state === 'TASK_RUNNING'),
  ];
  const chosen = new Set(preference.slice(0, active.length - instances));
  // Emitted in age order, so the events read the same whatever the selection.
  return byAge
    .filter((t) => chosen.has(t))
    .map((t) => draft('TaskKillRequested', { taskId: t.taskId, agentId: t.agentId, reason: 'scaled down' }));
}

function byAgeAscending(tasks: TaskRecord[]): TaskRecord[] {
  return [...tasks].sort((a, b) =>
    a.stagedAt === b.stagedAt ? (a.taskId < b.taskId ? -1 : 1) : a.stagedAt < b.stagedAt ? -1 : 1,
  );
}

function deleteApp({ appId }: DeleteApp, state: ClusterState): EventDraft[] {
  if (!state.apps.has(appId)) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
  const kills = [...state.tasks.values()]
    .filter((t) => t.appId === appId && !t.killRequested)
    .map((t) => draft('TaskKillRequested', { taskId: t.taskId, agentId: t.agentId, reason: 'app deleted' }));
  return [draft('AppDeleted', { appId }), ...kills];
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
      scaled.versionInfo = {
        lastConfigChangeAt: app.versionInfo.lastConfigChangeAt,
        lastScalingAt: event.data.lastScalingAt,
      };
      state.apps.set(event.data.appId, scaled);
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
  const config = (app: AppDefinition) => canonicalJson({ ...withoutServerOwned(app), instances: 0 });
  return config(a) === config(b);
}
