import { ManualClock, type Clock } from '@cairn/common';
import type { HealthCheckSpec, ReadinessCheckSpec } from '../protocol/agent-protocol';
import type { ProbeOutcome, ReadinessOutcome } from './probe';
import type { ProbeFactory } from './probe-factory';
import type { CheckedTask } from './task-checks';

/** Lets promise continuations (probe results) run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A ManualClock that advances from one due timer to the next and lets promises settle in between,
 * so that a probe's result is folded at the time its timer fired (as with a real clock and an
 * instant probe), not at the end of the step.
 */
export class SteppedClock implements Clock {
  private readonly manual: ManualClock;
  private readonly due = new Set<{ at: number }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.manual = new ManualClock(start);
  }

  now(): number {
    return this.manual.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    const entry = { at: this.now() + ms };
    this.due.add(entry);
    const cancel = this.manual.setTimer(ms, () => {
      this.due.delete(entry);
      fn();
    });
    return () => {
      this.due.delete(entry);
      cancel();
    };
  }

  /** Timers not yet fired nor cancelled. */
  pending(): number {
    return this.due.size;
  }

  async advance(ms: number): Promise<void> {
    const target = this.now() + ms;
    await flush();
    for (;;) {
      const next = Math.min(...[...this.due].map((entry) => entry.at));
      if (!(next <= target)) break;
      this.manual.advance(Math.max(0, next - this.now()));
      await flush();
    }
    this.manual.advance(target - this.now());
    await flush();
  }
}

export type Scripted<T> = T | 'hang';

/**
 * Probes that answer from a script per `<taskId>/<check>` (a health check's index, or the
 * readiness check's name), and record when each started (seconds since T0) and whether it was aborted.
 */
export class ScriptedProbes implements ProbeFactory {
  readonly started: string[] = [];
  readonly aborted: string[] = [];
  private readonly scripts = new Map<string, Scripted<ProbeOutcome | ReadinessOutcome>[]>();

  constructor(
    private readonly clock: Clock,
    private readonly t0: number,
  ) {}

  script(key: string, outcomes: Scripted<ProbeOutcome | ReadinessOutcome>[]): void {
    this.scripts.set(key, [...outcomes]);
  }

  health(check: HealthCheckSpec, task: CheckedTask) {
    return this.probe<ProbeOutcome>(`${task.taskId}/${task.healthChecks.indexOf(check)}`);
  }

  readiness(check: ReadinessCheckSpec, task: CheckedTask) {
    return this.probe<ReadinessOutcome>(`${task.taskId}/${check.name}`);
  }

  private probe<T extends ProbeOutcome | ReadinessOutcome>(key: string) {
    return (signal: AbortSignal): Promise<T> => {
      this.started.push(`${key}@${(this.clock.now() - this.t0) / 1000}`);
      const next = this.scripts.get(key)?.shift() ?? 'hang';
      if (next !== 'hang') return Promise.resolve(next as T);
      return new Promise<T>((resolve) =>
        signal.addEventListener('abort', () => {
          this.aborted.push(key);
          resolve({ kind: 'failure', cause: 'aborted' } as T);
        }),
      );
    };
  }
}
