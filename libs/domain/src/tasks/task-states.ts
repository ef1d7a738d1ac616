import type { TaskState } from '@cairn/events';

/** States after which a task never runs again: it is expunged and, if wanted, replaced. */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_UNREACHABLE', // unreachableStrategy {0, 0} (Marathon's default): replaced at once
  'TASK_UNKNOWN',
]);

export const isTerminal = (state: TaskState): boolean => TERMINAL_STATES.has(state);

/** Marathon's task ids: the app's path made safe, a dot, a uuid. `/prod/web` -> `prod_web.<uuid>`. */
export function taskIdFor(appId: string, uuid: string): string {
  return `${appId.replace(/^\//, '').replace(/\//g, '_')}.${uuid}`;
}

/**
 * A uuid-shaped id unique forever: the seeded random `uuid` with its last group replaced by the
 * count of tasks launched before (folded from the log, so it never goes back). A random id alone
 * repeats sooner or later, and a repeated id stalls its instance (the agent keeps the sandbox).
 */
export function uniqueTaskUuid(uuid: string, launchedBefore: number): string {
  return `${uuid.slice(0, 24)}${launchedBefore.toString(16).padStart(12, '0')}`;
}

/** The app a task id belongs to (app ids never contain `_`, so the mapping is one to one). */
export function appIdOfTask(taskId: string): string {
  const dot = taskId.lastIndexOf('.');
  return '/' + taskId.slice(0, dot < 0 ? taskId.length : dot).replace(/_/g, '/');
}
