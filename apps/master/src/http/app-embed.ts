/**
 * Marathon's `embed` query parameter of the app endpoints (`AppInfo.Embed`, resolved by its
 * `InfoEmbedResolver`): which derived parts an AppInfo carries besides the definition.
 */
export interface AppEmbed {
  readonly counts: boolean;
  readonly deployments: boolean;
  readonly tasks: boolean;
  readonly lastTaskFailure: boolean;
  readonly readiness: boolean;
  readonly taskStats: boolean;
}

export type EmbedKey = keyof AppEmbed;

/** Everything an AppInfo can carry: the replies to writes (create, update) show the whole app. */
export const FULL_SINGLE_APP_EMBED: AppEmbed = embedOf(['counts', 'deployments', 'tasks', 'lastTaskFailure']);

/**
 * What Marathon embeds whatever the client asks: GET /v2/apps always carries counts and
 * deployments; GET /v2/apps/{id} also tasks and lastTaskFailure (kept for old clients).
 */
const ALWAYS: Record<'list' | 'single', readonly EmbedKey[]> = {
  list: ['counts', 'deployments'],
  single: ['counts', 'deployments', 'tasks', 'lastTaskFailure'],
};

/** The prefixes Marathon strips (`app.tasks` from /v2/apps/{id}, `apps.tasks`, `group.apps.tasks`). */
const PREFIXES = ['group.apps.', 'apps.', 'app.'];

/**
 * What one embed value turns on. `tasks` brings `deployments` (Marathon does so: a task list
 * without the deployment replacing it misleads); `failures` is Marathon's deprecated shorthand.
 * `taskStats` is the name marathon-python asks for and reads back (Marathon's own reply key is
 * `tasksStats`, which that client rejects): we follow the client.
 */
const VALUES: Record<string, readonly EmbedKey[]> = {
  counts: ['counts'],
  deployments: ['deployments'],
  tasks: ['tasks', 'deployments'],
  lastTaskFailure: ['lastTaskFailure'],
  failures: ['tasks', 'lastTaskFailure', 'deployments'],
  readiness: ['readiness'],
  taskStats: ['taskStats'],
};

/** What one embed part name (`tasks`, `counts`, …) turns on; undefined for a name Marathon does not know. */
export function embedKeysOf(name: string): readonly EmbedKey[] | undefined {
  return Object.hasOwn(VALUES, name) ? VALUES[name] : undefined;
}

/**
 * Resolves `?embed=` (absent, once or repeated) for the list or single-app endpoint. Unknown
 * values are ignored, as Marathon ignores them (it only logs them): a client asking for a newer
 * part must still get its app.
 */
export function parseAppEmbed(raw: string | readonly string[] | undefined, kind: 'list' | 'single'): AppEmbed {
  const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  const keys: EmbedKey[] = [...ALWAYS[kind]];
  for (const value of values) {
    const prefix = PREFIXES.find((p) => value.startsWith(p));
    const name = prefix ? value.slice(prefix.length) : value;
    keys.push(...(Object.hasOwn(VALUES, name) ? VALUES[name] : []));
  }
  return embedOf(keys);
}

export function embedOf(keys: readonly EmbedKey[]): AppEmbed {
  const on = new Set(keys);
  return {
    counts: on.has('counts'),
    deployments: on.has('deployments'),
    tasks: on.has('tasks'),
    lastTaskFailure: on.has('lastTaskFailure'),
    readiness: on.has('readiness'),
    taskStats: on.has('taskStats'),
  };
}
