import { compare, type Sample, type Side, summarise, target } from './compare';
import { median, percentile } from './stats';

describe('median and percentile', () => {
  it.each([
    { name: 'odd count takes the middle', values: [5, 1, 3], want: 3 },
    { name: 'even count averages the middle two', values: [4, 1, 3, 2], want: 2.5 },
    { name: 'one value is its own median', values: [7], want: 7 },
  ])('$name', ({ values, want }) => expect(median(values)).toBe(want));

  it('takes the nearest rank: p99 of 1..100 is 99, p50 is 50, p100 is the maximum', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
  });

  it('refuses empty input rather than inventing a figure', () => {
    expect(() => median([])).toThrow();
    expect(() => percentile([], 50)).toThrow();
  });
});

describe('compare', () => {
  const side = (label: string, opsPerSecond: number[], calls: string[]): Side => {
    let i = 0;
    return {
      label,
      run: async (rep) => {
        calls.push(`${label}${rep}`);
        return rep < 0 ? { ops: 1, seconds: 1 } : { ops: opsPerSecond[i++], seconds: 1 };
      },
    };
  };

  it('interleaves the sides ABBA after one warm-up each and reports medians and their ratio', async () => {
    const calls: string[] = [];
    const result = await compare({
      subject: side('S', [100, 300, 200], calls),
      baseline: side('B', [400, 400, 1000], calls),
      repetitions: 3,
      warmUp: true,
    });
    expect(calls).toEqual(['S-1', 'B-1', 'S0', 'B0', 'B1', 'S1', 'S2', 'B2']);
    expect(result.subject.perSecond).toBe(200);
    expect(result.baseline.perSecond).toBe(400);
    expect(result.ratio).toBe(0.5);
    expect(result.subject.runs).toEqual([100, 300, 200]);
  });

  it('runs the subject first every time when the baseline replays what the subject did', async () => {
    const calls: string[] = [];
    await compare({
      subject: side('S', [1, 1], calls),
      baseline: side('B', [1, 1], calls),
      repetitions: 2,
      warmUp: false,
      order: 'subject-first',
    });
    expect(calls).toEqual(['S0', 'B0', 'S1', 'B1']);
  });

  it('fails a side that measured nothing', async () => {
    const empty: Side = { label: 'empty', run: async () => ({ ops: 0, seconds: 1 }) };
    await expect(compare({ subject: empty, baseline: empty, repetitions: 1, warmUp: false })).rejects.toThrow(/empty/);
  });

  it('summarises latency as the median of each repetition’s percentiles', () => {
    const samples: Sample[] = [
      { ops: 10, seconds: 1, latenciesMs: [1, 2, 3, 100] },
      { ops: 10, seconds: 1, latenciesMs: [2, 2, 2, 2] },
      { ops: 10, seconds: 1, latenciesMs: [3, 4, 5, 6] },
    ];
    const m = summarise('x', samples);
    expect(m.p50Ms).toBe(2);
    expect(m.p99Ms).toBe(6);
  });

  it('leaves a target unjudged in a smoke run', () => {
    expect(target('≥ 1', false, true).met).toBeNull();
    expect(target('≥ 1', true, false).met).toBe(false);
  });
});
