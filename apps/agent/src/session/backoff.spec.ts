import { backoffDelayMs, RECONNECT_BACKOFF } from './backoff';

describe('backoffDelayMs', () => {
  const noJitter = () => 0;

  it('doubles from the initial delay up to the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelayMs(RECONNECT_BACKOFF, attempt, noJitter));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('takes off at most half of the delay as jitter', () => {
    expect(backoffDelayMs(RECONNECT_BACKOFF, 3, () => 0.999999)).toBe(400);
    expect(backoffDelayMs(RECONNECT_BACKOFF, 3, () => 0.5)).toBe(600);
  });

  it('treats attempt 0 like the first attempt', () => {
    expect(backoffDelayMs(RECONNECT_BACKOFF, 0, noJitter)).toBe(200);
  });
});
