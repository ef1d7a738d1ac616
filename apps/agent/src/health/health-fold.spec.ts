import {
  describeHealth,
  healthReport,
  INITIAL_HEALTH,
  isAlive,
  recordResult,
  type CheckHealth,
  type CheckResult,
  type HealthRules,
} from './health-fold';

const T0 = Date.UTC(2026, 0, 1);
const s = (seconds: number) => T0 + seconds * 1000;
const ok = (at: number): CheckResult => ({ ok: true, at: s(at) });
const fail = (at: number, cause = 'HTTP 500'): CheckResult => ({ ok: false, at: s(at), cause });

const RULES: HealthRules = { gracePeriodMs: 10_000, maxConsecutiveFailures: 3, runningSince: T0 };

/** Folds the results; returns each report as `alive:count` and whether the check ended exhausted. */
function run(results: CheckResult[], rules: HealthRules = RULES) {
  let health: CheckHealth = INITIAL_HEALTH;
  const reports: string[] = [];
  let exhausted = false;
  for (const result of results) {
    expect(exhausted).toBe(false); // the runner probes no more once exhausted
    const step = recordResult(health, result, rules);
    health = step.health;
    exhausted = step.exhausted;
    if (step.report) reports.push(`${isAlive(health)}:${health.consecutiveFailures}`);
  }
  return { reports, exhausted, health };
}

describe('the health fold: only transitions are reported', () => {
  it.each([
    { name: 'the first success is reported', results: [ok(1)], want: ['true:0'] },
    { name: 'further successes are not', results: [ok(1), ok(2), ok(3)], want: ['true:0'] },
    {
      name: 'failures inside the grace period before the first success are not counted',
      results: [fail(1), fail(2), fail(9.999), ok(10)],
      want: ['true:0'],
    },
    {
      name: 'the first failure after the grace period, never having succeeded, reports not alive',
      results: [fail(1), fail(10)],
      want: ['false:1'],
    },
    {
      name: 'a failure at exactly the end of the grace period counts (Marathon: since + grace > now ignores)',
      results: [fail(10)],
      want: ['false:1'],
    },
    {
      name: 'after the first success the grace period no longer hides failures',
      results: [ok(1), fail(2)],
      want: ['true:0', 'false:1'],
    },
    {
      name: 'a failure while not alive is not reported until the count reaches the maximum',
      results: [ok(1), fail(2), fail(3), fail(4)],
      want: ['true:0', 'false:1', 'false:3'],
    },
    {
      name: 'a success after failures reports alive again and resets the count',
      results: [ok(1), fail(2), fail(3), ok(4), fail(5), fail(6)],
      want: ['true:0', 'false:1', 'true:0', 'false:1'],
    },
    {
      name: 'maxConsecutiveFailures 1: the first counted failure is one report, and exhausts the check',
      results: [ok(1), fail(2)],
      rules: { ...RULES, maxConsecutiveFailures: 1 },
      want: ['true:0', 'false:1'],
    },
    {
      name: 'maxConsecutiveFailures 0: failures go on unreported after the flip, never exhausted',
      results: [ok(1), fail(2), fail(3), fail(4), fail(5), fail(6)],
      rules: { ...RULES, maxConsecutiveFailures: 0 },
      want: ['true:0', 'false:1'],
    },
    {
      name: 'no grace period: the first failure counts',
      results: [fail(0)],
      rules: { ...RULES, gracePeriodMs: 0 },
      want: ['false:1'],
    },
  ])('$name', ({ results, rules, want }) => {
    expect(run(results, rules).reports).toEqual(want);
  });

  it('is exhausted exactly when the count reaches maxConsecutiveFailures', () => {
    expect(run([ok(1), fail(2), fail(3)]).exhausted).toBe(false);
    expect(run([ok(1), fail(2), fail(3), fail(4)]).exhausted).toBe(true);
    expect(run([fail(10), fail(11), fail(12)]).exhausted).toBe(true);
  });

  it("keeps Marathon's fields: first and last success, last failure and its cause", () => {
    const { health } = run([fail(1, 'early'), ok(2), ok(3), fail(4, 'HTTP 503'), fail(5, 'ECONNREFUSED')]);
    expect(healthReport(2, health)).toEqual({
      checkIndex: 2,
      alive: false,
      consecutiveFailures: 2,
      firstSuccess: '2026-01-01T00:00:02.000Z',
      lastSuccess: '2026-01-01T00:00:03.000Z',
      lastFailure: '2026-01-01T00:00:05.000Z',
      lastFailureCause: 'ECONNREFUSED',
    });
  });

  it('an ignored failure leaves the state as it was', () => {
    const step = recordResult(INITIAL_HEALTH, fail(1), RULES);
    expect(step).toEqual({ health: INITIAL_HEALTH, report: false, exhausted: false });
  });

  it('describes the verdict for the update message', () => {
    expect(describeHealth('health check 0 (HTTP)', run([ok(1)]).health, RULES)).toBe('health check 0 (HTTP): healthy');
    expect(describeHealth('c', run([ok(1), fail(2), fail(3), fail(4)]).health, RULES)).toBe(
      'c: unhealthy (3 consecutive failures, maxConsecutiveFailures 3 reached): HTTP 500',
    );
  });
});
