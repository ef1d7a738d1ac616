import type { FetchArtifact } from './fetch/artifact';

/**
 * What an agent needs to run one task with the `process` executor. The master builds it from the
 * app definition and the accepted offer (ports, host); the executor never sees the app itself.
 */
export type TaskCommand =
  /** Marathon `cmd`: run through `/bin/sh -c`. */
  | { shell: true; value: string }
  /** Marathon `args`: executed directly (PATH lookup of args[0]), no shell parsing. */
  | { shell: false; args: string[] };

export interface TaskSpec {
  /** Marathon task id (`<app path made safe>.<uuid>`); also the sandbox directory's name. */
  taskId: string;
  /** Marathon app id, e.g. `/prod/web`. */
  appId: string;
  /** The app version (ISO-8601) the task runs. */
  appVersion: string;
  command: TaskCommand;
  /** The app's `env` (plain strings; secrets are resolved before they reach the agent). */
  env: Record<string, string>;
  /** Host ports assigned from the offer, in portDefinitions order. */
  ports: number[];
  /** portDefinitions[i].name, aligned with `ports`. */
  portNames?: (string | undefined)[];
  /**
   * portDefinitions[i].port as declared in the app (0 = "any"), aligned with `ports`; Marathon
   * exports `PORT_<declared>` for declared non-zero ports. Absent = all 0.
   */
  requestedPorts?: number[];
  /** The agent's hostname as offered (`HOST`). */
  host: string;
  /** Marathon `taskKillGracePeriodSeconds`; absent = the executor's default (Mesos: 3 s). */
  killGracePeriodSeconds?: number;
  /** Artifacts put in the sandbox before the command starts (fetch/); absent = none. */
  fetch?: FetchArtifact[];
}

/**
 * Task ids name directories and appear in process command lines, so only a conservative alphabet
 * is accepted (Marathon's ids fit: lower-case path segments joined by `_`, a `.`, a uuid).
 */
const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_TASK_ID_LENGTH = 200;

export function isValidTaskId(taskId: string): boolean {
  return taskId.length <= MAX_TASK_ID_LENGTH && TASK_ID_PATTERN.test(taskId);
}
