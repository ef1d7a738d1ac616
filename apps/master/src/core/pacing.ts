import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Longest slice of synchronous work that long jobs (hashing the state, writing a snapshot) run
 * before giving the event loop a turn. Far below the stall budget (docs/operations.md): heartbeats,
 * agent streams and requests go on while a snapshot of 150,000 tasks is written.
 */
export const WORK_SLICE_MS = 10;

/**
 * Splits a long job into slices: call `turn()` often (every few hundred items); it returns at once
 * until the slice has run WORK_SLICE_MS, then waits one turn of the event loop. Real time, not the
 * injected clock: this paces CPU, and decides nothing the log records.
 */
export class Pacer {
  private sliceStartedAt = performance.now();

  constructor(private readonly sliceMs = WORK_SLICE_MS) {}

  async turn(): Promise<void> {
    if (performance.now() - this.sliceStartedAt < this.sliceMs) return;
    await nextTurn();
    this.sliceStartedAt = performance.now();
  }
}

/** Runs a generator of steps to its end, giving the event loop a turn between slices. */
export async function runInSlices<T>(steps: Generator<void, T, void>, pacer = new Pacer()): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pacer.turn();
  }
}
