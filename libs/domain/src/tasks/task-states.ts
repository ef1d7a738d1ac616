import { isTerminalTaskState, MESOS_TERMINAL_STATES, type TaskState } from '@cairn/events';

/** Mesos's terminal states, shared with the agent: the task never runs again. */
export const TERMINAL_STATES: ReadonlySet<TaskState> = MESOS_TERMINAL_STATES;

export const isTerminal = (state: TaskState): boolean => isTerminalTaskState(state);

/**
 * The master's policy, apart from the state machine: whether a task in `state` stops counting
 * (it is expunged and, if wanted, replaced). Terminal tasks do; so do UNREACHABLE and UNKNOWN
 * ones, at once, which is Marathon's default `unreachableStrategy` {0, 0}. (An app's own
 * `inactiveAfterSeconds` / `expungeAfterSeconds` timers come with the HA issue, here.)
 */
export function endsTask(state: TaskState): boolean {
  return isTerminal(state) || state === 'TASK_UNREACHABLE' || state === 'TASK_UNKNOWN';
}

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
