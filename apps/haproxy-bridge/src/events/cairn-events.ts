/**
 * The few event shapes the bridge reads, written from docs/events.md (the published contract),
 * not imported from Cairn's code: this app is what an outside integrator would write. Every
 * record is checked against its published JSON Schema first (`schema-validator.ts`), so these
 * types only name the fields the fold uses.
 */

/** The envelope of every record on `<cluster>.events`. */
export interface CairnEvent {
  readonly id: string;
  readonly type: string;
  readonly v: number;
  readonly at: string;
  readonly data: Record<string, unknown>;
}

export interface PortDefinition {
  /** The app's service port (Marathon's `servicePort`); 0 only in apps logged before ports were assigned. */
  readonly port: number;
  readonly protocol?: string;
  readonly name?: string;
}

export interface AppDefinition {
  readonly id: string;
  readonly portDefinitions: readonly PortDefinition[];
  readonly labels: Readonly<Record<string, string>>;
  /** Marathon health checks (defaults filled); only `protocol` and `portIndex` are read here. */
  readonly healthChecks?: readonly { readonly protocol?: string; readonly portIndex?: number | null }[];
}

export interface TaskLaunchedData {
  readonly taskId: string;
  readonly appId: string;
  readonly host: string;
  /** Host ports, in portDefinitions order. */
  readonly ports: readonly number[];
  /** Not in v1 (its tasks ran no checks). */
  readonly healthChecks?: readonly unknown[];
  readonly readinessChecks?: readonly unknown[];
}

/**
 * The types and versions the fold reads. A record of one of these types with a version not
 * listed here must stop the bridge (docs/events.md, Versioning rule 4): its shape is unknown,
 * and skipping it could route traffic to a task that is gone. Other types are ignored.
 */
export const FOLDED_VERSIONS: Readonly<Record<string, readonly number[]>> = {
  AppCreated: [1],
  AppUpdated: [1],
  AppDeleted: [1],
  TaskLaunched: [1, 2, 3],
  TaskStatusUpdated: [1],
  TaskKillRequested: [1],
  TaskHealthChanged: [1],
  TaskReadinessChanged: [1],
  TaskUnreachable: [1],
  TaskUnreachableInactive: [1],
};

/** States after which the task is gone (Mesos's terminal states, and TASK_UNREACHABLE, which always ends a task). */
export const ENDING_STATES: ReadonlySet<string> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_UNREACHABLE',
]);
