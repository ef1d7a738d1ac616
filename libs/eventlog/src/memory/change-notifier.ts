/**
 * Wakes every follower waiting for the log to change (an append became visible, or the log
 * closed). Promise-based; no timer unless a poll interval is asked for, so the memory log stays
 * deterministic under the simulator.
 */
export class ChangeNotifier {
  private waiters = new Set<() => void>();

  /**
   * Resolves at the next `notify()`, when `signal` aborts (at once if it already has), or after
   * `pollMs` if given (a reader polling a writer in another process).
   */
  wait(signal: AbortSignal, pollMs?: number): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = pollMs === undefined ? undefined : setTimeout(() => done(), pollMs);
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
