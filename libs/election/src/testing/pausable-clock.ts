import type { Clock } from '@cairn/common';

/**
 * A clock whose timers can be frozen: while paused, timers that come due are held, and on
 * resume they all run (late, in due order), as in a process that was SIGSTOPped and continued.
 * Time itself keeps moving (it is the base clock's), so the candidate sees how late it is.
 */
export class PausableClock implements Clock {
  private paused = false;
  private held: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  private seq = 0;

  constructor(private readonly base: Clock) {}

  get isPaused(): boolean {
    return this.paused;
  }

  now(): number {
    return this.base.now();
  }

  setTimer(ms: number, fn: () => void): () => void {
    const entry = { at: this.base.now() + ms, seq: this.seq++, fn, cancelled: false };
    const cancelBase = this.base.setTimer(ms, () => {
      if (entry.cancelled) return;
      if (this.paused) this.held.push(entry);
      else fn();
    });
    return () => {
      entry.cancelled = true;
      cancelBase();
      this.held = this.held.filter((h) => h !== entry);
    };
  }

  pause(): void {
    this.paused = true;
  }

  /** Runs the held timers on the base clock's next turn, in due order. */
  resume(): void {
    this.paused = false;
    const held = this.held.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.held = [];
    if (held.length > 0) {
      this.base.setTimer(0, () => {
        for (const entry of held) if (!entry.cancelled) entry.fn();
      });
    }
  }
}
