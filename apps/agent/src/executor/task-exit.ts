import { constants } from 'node:os';

/**
 * How a task ended, as the executor reports it. `exitCode` is what `sh` reports as `$?`: a
 * signal death is 128 + n. A program that itself calls `exit(128 + n)` looks the same (POSIX sh
 * cannot tell them apart); Mesos's command executor has the same blind spot for shell commands.
 */
export type TaskExit =
  | { taskId: string; kind: 'exited'; exitCode: number; finishedAt: number }
  | { taskId: string; kind: 'signaled'; signal: NodeJS.Signals; exitCode: number; finishedAt: number }
  /** Died without a recorded status (its wrapper was SIGKILLed, or it never got checkpointed). */
  | { taskId: string; kind: 'lost'; reason: string; finishedAt: number };

const SIGNAL_EXIT_BASE = 128;
const MAX_SIGNAL_NUMBER = 64;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** Decodes a recorded `$?` into an exit report. */
export function exitFromStatus(taskId: string, exitCode: number, finishedAt: number): TaskExit {
  const signalNumber = exitCode - SIGNAL_EXIT_BASE;
  const signal = signalNumber >= 1 && signalNumber <= MAX_SIGNAL_NUMBER ? SIGNAL_NAMES.get(signalNumber) : undefined;
  return signal
    ? { taskId, kind: 'signaled', signal, exitCode, finishedAt }
    : { taskId, kind: 'exited', exitCode, finishedAt };
}

/** The `$?` sh would report for a death by `signal`. */
export function statusForSignal(signal: NodeJS.Signals): number {
  return SIGNAL_EXIT_BASE + constants.signals[signal];
}
