import type { Writable } from 'node:stream';

/** Nothing is drawn for work that ends sooner: a fast verify prints its result only. */
export const PROGRESS_DELAY_MS = 1_000;
/** Redraws at most this often: a replay reports progress per batch, thousands of times a second. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

/**
 * A one-line progress bar on stderr, redrawn in place, shown only when stderr is a terminal and
 * the work has taken longer than PROGRESS_DELAY_MS (so pipes, logs and tests never see it).
 */
export class ProgressBar {
  private readonly startedAt: number;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: Writable & { isTTY?: boolean },
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  update(label: string, done: number, total: number): void {
    if (!this.stream.isTTY) return;
    const at = this.now();
    if (at - this.startedAt < PROGRESS_DELAY_MS || at - this.lastDrawAt < REDRAW_INTERVAL_MS) return;
    this.lastDrawAt = at;
    this.drawn = true;
    this.stream.write(`\r${renderProgress(label, done, total)}\x1b[K`);
  }

  /** Clears the line, so what is printed next starts on a clean one. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** `integrity [#########.....................]  30% 3000/10000` */
export function renderProgress(label: string, done: number, total: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const percent = `${Math.floor(fraction * 100)}`.padStart(3);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}% ${done}/${total}`;
}
