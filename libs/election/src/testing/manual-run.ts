import type { ManualClock } from '@cairn/common';

/**
 * Moves a ManualClock forward one millisecond at a time, letting promise callbacks run between
 * steps, so async sends land at the virtual time they were made.
 */
export async function runFor(clock: ManualClock, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    await settle();
  }
}

/** Lets pending promise callbacks (several hops deep) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
