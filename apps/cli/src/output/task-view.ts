import { NONE, text } from './view-values';

/** How Marathon's task JSON (`/v2/tasks`, `/v2/apps/{id}/tasks`) reads in a terminal. */
export type ApiTask = Record<string, unknown>;

export const TASKS_COLUMNS = ['ID', 'APP', 'HOST', 'STATE', 'PORTS', 'STARTED'] as const;

/** Marathon names states `TASK_RUNNING`; the table drops the shared prefix (`--json` keeps it). */
const STATE_PREFIX = 'TASK_';

/** `nowMs` is the CLI's wall clock, passed in so the view stays pure. */
export function taskRow(task: ApiTask, nowMs: number): string[] {
  const state = typeof task.state === 'string' ? task.state.replace(STATE_PREFIX, '') : text(task.state);
  const ports = Array.isArray(task.ports) && task.ports.length > 0 ? task.ports.map(text).join(',') : NONE;
  return [text(task.id), text(task.appId), text(task.host), state, ports, startedAge(task.startedAt, nowMs)];
}

/** How long ago the task started; `-` while it has not (staging). */
function startedAge(startedAt: unknown, nowMs: number): string {
  if (typeof startedAt !== 'string') return NONE;
  const startedMs = Date.parse(startedAt);
  return Number.isNaN(startedMs) ? startedAt : formatAge(nowMs - startedMs);
}

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * The two largest units, like `kubectl get pods`: `42s`, `3m12s`, `5h7m`, `2d3h`. A negative
 * age (the master's clock ahead of this machine's) shows as `0s`.
 */
export function formatAge(ageMs: number): string {
  let rest = Math.max(0, Math.floor(ageMs / 1_000) * 1_000);
  const first = UNITS.findIndex(([, unitMs]) => rest >= unitMs);
  if (first === -1) return '0s';
  const parts: string[] = [];
  for (const [name, unitMs] of UNITS.slice(first, first + 2)) {
    const count = Math.floor(rest / unitMs);
    rest -= count * unitMs;
    if (count > 0) parts.push(`${count}${name}`);
  }
  return parts.join('');
}
