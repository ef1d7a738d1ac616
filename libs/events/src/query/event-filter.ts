import { eventTypes, isEventType, type CairnEvent, type EventType } from '../catalogue';
import { visitSubjects } from './subjects';

/**
 * A filter over events, the same for `GET /v1/events`, `cairn events tail` (online or over a copy
 * of the log) and the audit: types, and the apps, tasks and agents an event is about. Kinds are
 * ANDed, values of one kind ORed (`--app /a,/b --agent a-1`: events of /a or /b on agent a-1).
 */
export interface EventFilter {
  readonly types: ReadonlySet<EventType> | null;
  readonly apps: ReadonlySet<string> | null;
  readonly tasks: ReadonlySet<string> | null;
  readonly agents: ReadonlySet<string> | null;
}

/** Where a read starts: an offset, or the first event stamped at or after a time. */
export type LogPosition = { readonly offset: number } | { readonly timeMs: number; readonly time: string };

export interface EventFilterInput {
  readonly type?: string | readonly string[];
  readonly app?: string | readonly string[];
  readonly task?: string | readonly string[];
  readonly agent?: string | readonly string[];
}

/** A filter or position that cannot mean anything: a 400 on the API, exit 2 in the CLI, never an empty result. */
export class EventQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventQueryError';
  }
}

export const NO_FILTER: EventFilter = { types: null, apps: null, tasks: null, agents: null };

/** Each value may be a comma list and may repeat (`type=A&type=B,C`). */
export function parseEventFilter(input: EventFilterInput): EventFilter {
  const types = listOf(input.type, 'type');
  for (const type of types ?? []) {
    if (!isEventType(type)) {
      throw new EventQueryError(`unknown event type '${type}'; the types are: ${[...eventTypes].sort().join(', ')}`);
    }
  }
  return {
    types: types && (new Set(types) as Set<EventType>),
    apps: setOf(listOf(input.app, 'app')?.map(appPath)),
    tasks: setOf(listOf(input.task, 'task')),
    agents: setOf(listOf(input.agent, 'agent')),
  };
}

export function isEmptyFilter(filter: EventFilter): boolean {
  return !filter.types && !filter.apps && !filter.tasks && !filter.agents;
}

/** Whether the filter names entities (and so can be answered from a subject index). */
export function hasSubjects(filter: EventFilter): boolean {
  return !!(filter.apps || filter.tasks || filter.agents);
}

/**
 * Whether `event` passes. A task's events name the task, not its app: `appOfTask` says which app a
 * task belongs to (learnt from its launch), so `app=` also selects the statuses of the app's tasks.
 */
export function matchesFilter(
  filter: EventFilter,
  event: CairnEvent,
  appOfTask: (taskId: string) => string | undefined,
): boolean {
  if (filter.types && !filter.types.has(event.type)) return false;
  if (!filter.apps && !filter.tasks && !filter.agents) return true;
  let app = !filter.apps;
  let task = !filter.tasks;
  let agent = !filter.agents;
  visitSubjects(event, (kind, id) => {
    if (kind === 'app') app ||= filter.apps!.has(id);
    else if (kind === 'task') {
      task ||= filter.tasks!.has(id);
      if (!app) {
        const owner = appOfTask(id);
        app = owner !== undefined && filter.apps!.has(owner);
      }
    } else if (kind === 'agent') agent ||= filter.agents!.has(id);
  });
  return app && task && agent;
}

/** A log position as an offset: a whole number. */
export const LOG_OFFSET_PATTERN = /^\d+$/;
/** A log position as a time: ISO 8601, from a date alone to milliseconds and a zone. */
export const LOG_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `from=`: a whole number is an offset; an ISO-8601 date or date-time (`2026-12-06T14:02:00Z`,
 * `2026-12-06`) is a time. Anything else is refused, so a typo is not read as "from the start".
 */
export function parseLogPosition(raw: string, name = 'from'): LogPosition {
  const text = raw.trim();
  if (LOG_OFFSET_PATTERN.test(text)) {
    const offset = Number(text);
    if (!Number.isSafeInteger(offset)) throw new EventQueryError(`'${name}' offset ${raw} is too large`);
    return { offset };
  }
  if (LOG_TIME_PATTERN.test(text)) {
    const timeMs = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(timeMs)) return { timeMs, time: new Date(timeMs).toISOString() };
  }
  throw new EventQueryError(
    `'${name}' must be an offset (a whole number) or an ISO-8601 time such as 2026-12-06T14:02:00Z, got '${raw}'`,
  );
}

function listOf(raw: string | readonly string[] | undefined, name: string): string[] | null {
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) return null;
  const values = [raw]
    .flat()
    .flatMap((value) => value.split(','))
    .map((value) => value.trim());
  if (values.length === 0 || values.some((value) => value === '')) {
    throw new EventQueryError(`'${name}' needs a value (a comma-separated list without empty entries)`);
  }
  return values;
}

function setOf(values: string[] | undefined | null): ReadonlySet<string> | null {
  return values ? new Set(values) : null;
}

/** App ids as Marathon takes them: a leading slash is implied, a trailing one ignored. */
function appPath(raw: string): string {
  const path = ('/' + raw.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (path === '' || /\s/.test(path)) throw new EventQueryError(`'${raw}' is not an app id`);
  return path;
}
