import { FAILED_EXIT_CODE, taskFate } from './task-fate';

const ids = Array.from({ length: 10_000 }, (_, i) => `sim_web.${i.toString(16).padStart(8, '0')}`);

describe('taskFate', () => {
  it('is a function of the seed and the task id, not of the order tasks are launched in', () => {
    const settings = { seed: 's1', runUpMs: 5, runTimeMs: 100, failureRate: 0.3 };
    const forward = ids.slice(0, 500).map((id) => taskFate(id, settings));
    const backward = [...ids.slice(0, 500)].reverse().map((id) => taskFate(id, settings));
    expect(backward.reverse()).toEqual(forward);
  });

  it('fails about failureRate of the tasks, and another seed fails other tasks', () => {
    const fails = (seed: string) =>
      ids.filter((id) => taskFate(id, { seed, runUpMs: 0, failureRate: 0.2 }).exitCode !== 0);
    const a = fails('a');
    expect(a.length / ids.length).toBeGreaterThan(0.18);
    expect(a.length / ids.length).toBeLessThan(0.22);
    expect(fails('b')).not.toEqual(a);
  });

  it('makes about unhealthyRate of the tasks unhealthy, independently of which fail, and leaves the failures as they were', () => {
    const settings = { seed: 'h', runUpMs: 0, failureRate: 0.3 };
    const plain = ids.map((id) => taskFate(id, settings));
    const withHealth = ids.map((id) => taskFate(id, { ...settings, unhealthyRate: 0.25 }));
    expect(withHealth.map((fate) => fate.exitCode)).toEqual(plain.map((fate) => fate.exitCode));
    const unhealthy = withHealth.filter((fate) => !fate.healthy);
    expect(unhealthy.length / ids.length).toBeGreaterThan(0.23);
    expect(unhealthy.length / ids.length).toBeLessThan(0.27);
    const failedAndUnhealthy = withHealth.filter((fate) => !fate.healthy && fate.exitCode !== 0).length;
    expect(failedAndUnhealthy / unhealthy.length).toBeGreaterThan(0.25); // about 0.3: not correlated
    expect(failedAndUnhealthy / unhealthy.length).toBeLessThan(0.35);
    expect(plain.every((fate) => fate.healthy)).toBe(true);
  });

  it.each([
    {
      name: 'no failure rate: every task runs until killed',
      failureRate: 0,
      runTimeMs: undefined,
      want: { runMs: null, exitCode: 0 },
    },
    {
      name: 'a run time: every task finishes after it',
      failureRate: 0,
      runTimeMs: 40,
      want: { runMs: 40, exitCode: 0 },
    },
    {
      name: 'all failing with a run time: they fail after it',
      failureRate: 1,
      runTimeMs: 40,
      want: { runMs: 40, exitCode: FAILED_EXIT_CODE },
    },
    {
      name: 'all failing without a run time: they crash once up',
      failureRate: 1,
      runTimeMs: undefined,
      want: { runMs: 0, exitCode: FAILED_EXIT_CODE },
    },
  ])('$name', ({ failureRate, runTimeMs, want }) => {
    for (const id of ids.slice(0, 50)) {
      expect(taskFate(id, { seed: 'x', runUpMs: 7, runTimeMs, failureRate })).toEqual({
        runUpMs: 7,
        healthy: true,
        ...want,
      });
    }
  });
});
