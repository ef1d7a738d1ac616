import { ManualClock, type Clock } from '@cairn/common';

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
