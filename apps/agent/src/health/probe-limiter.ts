/**
 * At most `max` probes run at once (all tasks, all checks); the others wait in arrival order.
 * Each check has at most one probe waiting or running, so the queue is bounded by the number of
 * checks. A probe whose signal aborts while it waits never runs.
 */
export class ProbeLimiter {
  private active = 0;
  private readonly waiting: { start(): void }[] = [];

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1))
      throw new RangeError(`a probe limit must be a positive integer, got ${max}`);
  }

  /** Runs `job` once a slot is free; resolves undefined (without running it) if `signal` aborts first. */
  run<T>(job: () => Promise<T>, signal: AbortSignal): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      if (signal.aborted) return resolve(undefined);
      const start = () => {
        this.active++;
        job()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.waiting.shift()?.start();
          });
      };
      if (this.active < this.max) return start();
      const entry = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          start();
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  stats(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
