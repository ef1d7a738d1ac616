import type { HttpClient, Json } from './http-client';
import { waitFor } from './wait-for';

/** A master's API: a MasterHandle, or any client of one (e.g. the master inside `cairn dev`). */
export interface MasterApi {
  readonly http: HttpClient;
  describeLogs?(): string;
}

/** Marathon's task JSON as /v2/tasks and /v2/apps/{id}/tasks show it. */
export interface TaskView {
  readonly id: string;
  readonly appId: string;
  readonly host: string;
  readonly ports: number[];
  readonly slaveId: string;
  readonly stagedAt: string;
  readonly startedAt?: string;
  readonly state: string;
  readonly version: string;
  readonly [field: string]: Json;
}

/** A recorded event of /v1/events. */
export interface EventView {
  readonly offset: number;
  readonly id: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly data: Json;
}

const EVENTS_PAGE = 1000;

function appPath(appId: string): string {
  return appId.replace(/^\/+/, '');
}

/** GET /v2/apps/{id}/tasks (the tasks the log has for the app, any state). */
export async function appTasks(master: MasterApi, appId: string): Promise<TaskView[]> {
  const res = await master.http.get<{ tasks: TaskView[] }>(`/v2/apps/${appPath(appId)}/tasks`);
  if (res.status !== 200) throw new Error(`GET /v2/apps/${appPath(appId)}/tasks answered ${res.status}: ${res.text}`);
  return res.body.tasks;
}

/** Waits until the app has exactly `count` tasks, all TASK_RUNNING (and none in another state). */
export function waitForRunningTasks(
  master: MasterApi,
  appId: string,
  count: number,
  options: { timeoutMs?: number; onTimeout?: () => string; where?: (tasks: TaskView[]) => boolean } = {},
): Promise<TaskView[]> {
  return waitFor(
    async () => {
      const tasks = await appTasks(master, appId);
      const ok = tasks.length === count && tasks.every((t) => t.state === 'TASK_RUNNING');
      return ok && (options.where?.(tasks) ?? true) ? tasks : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 100,
      describe: `${count} TASK_RUNNING task(s) of ${appId}`,
      onTimeout: async () => {
        const tasks = await appTasks(master, appId).catch((err: Error) => err.message);
        return `tasks now: ${JSON.stringify(tasks)}\n${options.onTimeout?.() ?? ''}\n${master.describeLogs?.() ?? ''}`;
      },
    },
  );
}

/** A task's stdout or stderr through the master's files proxy (`/v1/tasks/{id}/files/{file}`). */
export async function readTaskFile(master: MasterApi, taskId: string, file: 'stdout' | 'stderr'): Promise<string> {
  const res = await master.http.get<{ data: string; offset: number }>(
    `/v1/tasks/${encodeURIComponent(taskId)}/files/${file}?offset=0`,
  );
  if (res.status !== 200) throw new Error(`GET /v1/tasks/${taskId}/files/${file} answered ${res.status}: ${res.text}`);
  return res.body.data;
}

/** Every event in the log (paged through /v1/events), optionally only some types. */
export async function allEvents(master: MasterApi, types?: readonly string[]): Promise<EventView[]> {
  const events: EventView[] = [];
  let from = 0;
  for (;;) {
    const res = await master.http.get<{ events: EventView[]; next: number; end: number }>(
      `/v1/events?from=${from}&limit=${EVENTS_PAGE}`,
    );
    if (res.status !== 200) throw new Error(`GET /v1/events answered ${res.status}: ${res.text}`);
    events.push(...res.body.events);
    if (res.body.next >= res.body.end || res.body.events.length === 0) break;
    from = res.body.next;
  }
  return types ? events.filter((e) => types.includes(e.type)) : events;
}

/** `endOffset` of /v1/info: where the next event will go. */
export async function endOffset(master: MasterApi): Promise<number> {
  const res = await master.http.get<{ endOffset: number }>('/v1/info');
  if (res.status !== 200) throw new Error(`GET /v1/info answered ${res.status}: ${res.text}`);
  return res.body.endOffset;
}

/** GET /v1/state/hash. */
export async function stateHash(master: MasterApi): Promise<{ hash: string; offset: number }> {
  const res = await master.http.get<{ hash: string; offset: number }>('/v1/state/hash');
  if (res.status !== 200) throw new Error(`GET /v1/state/hash answered ${res.status}: ${res.text}`);
  return res.body;
}
