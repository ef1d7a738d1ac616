/**
 * A bounded queue between a kafkajs consumer (which pushes batches from its fetch loop) and an
 * async iterator (which pulls them at its own pace). When the queue is full the consumer's
 * handler waits, so kafkajs stops fetching: that is the backpressure.
 *
 * Ends three ways: `end()` (the range is complete: the puller drains what is queued, then
 * finishes), `fail(error)` (the puller drains, then gets the error), `close()` (the puller went
 * away: everything queued is dropped and waiting pushers are released).
 */
export class BatchChannel<T> {
  private readonly items: T[] = [];
  private finished = false;
  private failure: Error | null = null;
  private closed = false;
  private takerWake: (() => void) | null = null;
  private spaceWakes: (() => void)[] = [];

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
  }

  /** True when the item was queued or the channel no longer wants items; false when full. */
  offer(item: T): boolean {
    if (this.closed || this.finished) return true;
    if (this.items.length >= this.capacity) return false;
    this.items.push(item);
    this.wakeTaker();
    return true;
  }

  /** Resolves once there is room, or the channel stopped taking items. */
  waitForSpace(): Promise<void> {
    if (!this.isFull()) return Promise.resolve();
    return new Promise((resolve) => this.spaceWakes.push(resolve));
  }

  isFull(): boolean {
    return !this.closed && !this.finished && this.items.length >= this.capacity;
  }

  /** No more items will come; the puller finishes after the queued ones. */
  end(): void {
    this.finished = true;
    this.wakeAll();
  }

  /** The producer failed; the puller gets `error` after the queued items. First failure wins. */
  fail(error: Error): void {
    if (this.finished) return;
    this.failure = error;
    this.finished = true;
    this.wakeAll();
  }

  /** The puller is gone: drop the queue, release pushers. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.wakeAll();
  }

  get isDone(): boolean {
    return this.closed || this.finished;
  }

  /** The next item, or done once ended (or closed); rejects with the failure after draining. */
  async take(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.items.length > 0) {
        const value = this.items.shift()!;
        this.wakeSpace();
        return { done: false, value };
      }
      if (this.closed) return { done: true, value: undefined };
      if (this.finished) {
        if (this.failure) throw this.failure;
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.takerWake = resolve));
    }
  }

  private wakeTaker(): void {
    const wake = this.takerWake;
    this.takerWake = null;
    wake?.();
  }

  private wakeSpace(): void {
    for (const wake of this.spaceWakes.splice(0)) wake();
  }

  private wakeAll(): void {
    this.wakeTaker();
    this.wakeSpace();
  }
}
