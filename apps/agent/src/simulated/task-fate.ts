import { SeededRandom } from '@cairn/common';

/** How a simulated task's life goes, decided once when it is launched. */
export interface TaskFate {
  /** Launch → TASK_RUNNING. */
  readonly runUpMs: number;
  /** TASK_RUNNING → its end; null = it runs until killed. */
  readonly runMs: number | null;
  /** The end's exit code: 0 = TASK_FINISHED, FAILED_EXIT_CODE = TASK_FAILED. */
  readonly exitCode: number;
  /** Its health checks pass (and readiness checks with them), or fail until maxConsecutiveFailures. */
  readonly healthy: boolean;
}

/** What a failing simulated task exits with (a plain failure, not a signal). */
export const FAILED_EXIT_CODE = 1;

export interface FateSettings {
  readonly seed: string;
  readonly runUpMs: number;
  /** Absent: tasks run until killed (unless they fail). */
  readonly runTimeMs?: number;
  /** Share of tasks, in [0, 1], that end TASK_FAILED. */
  readonly failureRate: number;
  /** Share of tasks, in [0, 1], whose health checks fail; default 0. */
  readonly unhealthyRate?: number;
}

/**
 * A task's fate is a pure function of the seed and its task id, not of the order launches
 * arrive in (which the network shuffles): the same master seed (CAIRN_SEED, hence the same task
 * ids) and the same simulator seed replay the same failures. A failing task runs for the run time,
 * or, without one, fails as soon as it is up (a crash loop, the usual failing app). Whether its
 * checks pass is the next draw of the same source, independent of the first.
 */
export function taskFate(taskId: string, settings: FateSettings): TaskFate {
  const random = new SeededRandom(`${settings.seed}:${taskId}`);
  const fails = random.next() < settings.failureRate;
  const healthy = !(random.next() < (settings.unhealthyRate ?? 0));
  if (fails) return { runUpMs: settings.runUpMs, runMs: settings.runTimeMs ?? 0, exitCode: FAILED_EXIT_CODE, healthy };
  return { runUpMs: settings.runUpMs, runMs: settings.runTimeMs ?? null, exitCode: 0, healthy };
}
