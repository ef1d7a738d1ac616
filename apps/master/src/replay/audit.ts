import type { EventLog } from '@cairn/eventlog';
import type { AppDefinition, CairnEvent, RecordedEvent } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import { Pacer } from '../core/pacing';
import { firstOffsetAtOrAfter } from './log-search';
import { describe } from './why';

/** One change a person (or a token) made: one command, with where it came from and what it changed. */
export interface AuditEntry {
  readonly offset: number;
  readonly at: string;
  readonly actor: string;
  /** The request as recorded when it was decided (null: the command recorded none, e.g. a task kill). */
  readonly request: { remoteAddress: string | null; method: string; path: string; requestId: string } | null;
  readonly apps: string[];
  readonly what: string[];
  /** Per app whose definition changed: the fields, before and after. */
  readonly changes: { appId: string; fields: { field: string; from: unknown; to: unknown }[] }[];
}

export interface AuditQuery {
  readonly actor?: string;
  readonly app?: string;
  readonly sinceMs?: number;
  /** Stop after this many entries. */
  readonly limit?: number;
}

/** Actors that are Cairn itself: the scheduler, and agents reporting (`agent:<id>`, `agent@<address>`). */
export function isPersonActor(actor: string): boolean {
  return actor !== 'system' && !actor.startsWith('agent:') && !actor.startsWith('agent@');
}

/** The events a person's command writes first; everything else in its chain follows from them. */
const COMMAND_EVENTS = new Set([
  'AppCreated',
  'AppUpdated',
  'AppScaled',
  'AppDeleted',
  'AppRestartRequested',
  'DeploymentStarted',
  'DeploymentCancelled',
  'TaskKillRequested',
  'LaunchDelayReset',
  'ClusterVersionRaised',
  'AgentDrainStarted',
  'AgentReactivated',
]);

/** Fields that change with every write and say nothing of their own. */
const VERSION_FIELDS = new Set(['version', 'versionInfo']);

/**
 * Who changed what, when and from where, read from the log: each command of a person is one entry
 * (its events are consecutive: one decision), with the request its `DeploymentStarted` recorded
 * and the difference between each app's definition before and after.
 */
export async function audit(
  log: EventLog,
  query: AuditQuery,
  options: { paced?: boolean } = {},
): Promise<AuditEntry[]> {
  const from = query.sinceMs === undefined ? 0 : await firstOffsetAtOrAfter(log, query.sinceMs);
  const entries: AuditEntry[] = [];
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const pacer = options.paced ? new Pacer() : null;
  type Command = { correlationId: string; events: RecordedEvent<CairnEvent>[] };
  let open = null as Command | null;
  const close = () => {
    if (open) {
      const entry = entryOf(open.events);
      if (matches(entry, query)) entries.push(entry);
    }
    open = null;
  };
  outer: for await (const batch of readEvents(log, { from })) {
    for (const event of batch) {
      if (!isPersonActor(event.actor) || !COMMAND_EVENTS.has(event.type)) continue;
      if ((open as Command | null)?.correlationId !== event.correlationId) {
        close();
        if (entries.length >= limit) break outer;
        open = { correlationId: event.correlationId, events: [] };
      }
      (open as Command).events.push(event);
    }
    await pacer?.turn();
  }
  close();
  return entries.slice(0, limit);
}

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.actor !== undefined && entry.actor !== query.actor) return false;
  if (query.app !== undefined && !entry.apps.includes(query.app)) return false;
  return true;
}

function entryOf(events: RecordedEvent<CairnEvent>[]): AuditEntry {
  const first = events[0];
  const started = events.find((e) => e.type === 'DeploymentStarted');
  const apps = new Set<string>();
  const changes: AuditEntry['changes'] = [];
  for (const event of events) {
    if (event.type === 'AppCreated' || event.type === 'AppUpdated') apps.add(event.data.app.id);
    else if ('appId' in event.data && typeof event.data.appId === 'string') apps.add(event.data.appId);
  }
  if (started?.type === 'DeploymentStarted') {
    for (const appId of started.data.affectedApps) {
      apps.add(appId);
      // A created or deleted app is one line of `what`; a changed one lists its fields.
      const [before, after] = [started.data.original[appId] ?? null, started.data.target[appId] ?? null];
      const fields = before && after ? definitionDiff(before, after) : [];
      if (fields.length > 0) changes.push({ appId, fields });
    }
  }
  const request = started?.type === 'DeploymentStarted' ? started.data.request : null;
  return {
    offset: first.offset,
    at: first.at,
    actor: first.actor,
    request: request && {
      remoteAddress: request.remoteAddress,
      method: request.method,
      path: request.path,
      requestId: request.requestId,
    },
    apps: [...apps].sort(),
    what: events.filter((e) => e.type !== 'DeploymentStarted').map((e) => describe(e)),
    changes,
  };
}

/** The top-level fields that differ (nested values compared whole), leaving out the version stamps. */
export function definitionDiff(
  before: AppDefinition | null,
  after: AppDefinition | null,
): { field: string; from: unknown; to: unknown }[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const fields: { field: string; from: unknown; to: unknown }[] = [];
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (VERSION_FIELDS.has(field)) continue;
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) {
      fields.push({ field, from: a[field] ?? null, to: b[field] ?? null });
    }
  }
  return fields;
}
