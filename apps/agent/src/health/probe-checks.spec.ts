import pino from 'pino';
import type { HealthCheckSpec, ReadinessCheckSpec } from '../protocol/agent-protocol';
import { ScriptedProbes, SteppedClock } from './health-test-support';
import type { ProbeOutcome, ReadinessOutcome } from './probe';
import { ProbeChecks } from './probe-checks';
import type { CheckedTask, CheckReport } from './task-checks';

const logger = pino({ level: 'silent' });

const aCheck = (overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
  protocol: 'HTTP',
  path: '/health',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 0,
  intervalSeconds: 10,
  timeoutSeconds: 2,
  maxConsecutiveFailures: 3,
  delaySeconds: 15,
  ignoreHttp1xx: false,
  ...overrides,
});

const aReadinessCheck = (overrides: Partial<ReadinessCheckSpec> = {}): ReadinessCheckSpec => ({
  name: 'ready',
  protocol: 'HTTP',
  path: '/ready',
  portIndex: 0,
  intervalSeconds: 5,
  timeoutSeconds: 1,
  httpStatusCodesForReady: [200],
  ...overrides,
});

const T0 = Date.UTC(2026, 0, 1);
const success: ProbeOutcome = { kind: 'success' };
const failure = (cause = 'HTTP 500'): ProbeOutcome => ({ kind: 'failure', cause });

function setUp(options: { maxConcurrentProbes?: number } = {}) {
  const clock = new SteppedClock(T0);
  const probes = new ScriptedProbes(clock, T0);
  const checks = new ProbeChecks({ clock, logger, probes, ...options });
  const reports: CheckReport[] = [];
  const task = (taskId: string, health: HealthCheckSpec[], readiness: ReadinessCheckSpec[] = []): CheckedTask => ({
    taskId,
    spec: {
      taskId,
      appId: '/a',
      appVersion: 'v',
      command: { shell: true, value: 'x' },
      env: {},
      ports: [31000],
      host: 'h',
    },
    healthChecks: health,
    readinessChecks: readiness,
    runningSince: clock.now(),
  });
  const advance = (ms: number) => clock.advance(ms);
  const summary = () =>
    reports.map((report) =>
      report.kind === 'health'
        ? `${report.health.checkIndex}:${report.health.alive}:${report.health.consecutiveFailures}`
        : `ready:${report.readiness.name}`,
    );
  return { clock, probes, checks, reports, task, advance, summary };
}

describe('ProbeChecks', () => {
  it('probes HTTP at once, COMMAND and MESOS_* only after delaySeconds, then every interval after a probe ends', async () => {
    const { probes, checks, task, advance } = setUp();
    const t = task('t1', [
      aCheck(),
      aCheck({ protocol: 'COMMAND', command: 'true' }),
      aCheck({ protocol: 'MESOS_TCP' }),
    ]);
    for (const key of ['t1/0', 't1/1', 't1/2']) probes.script(key, [success, success, success, success]);
    const stop = checks.start(t, () => undefined);
    await advance(36_000);
    expect(probes.started).toEqual([
      't1/0@0',
      't1/0@10',
      't1/1@15',
      't1/2@15',
      't1/0@20',
      't1/1@25',
      't1/2@25',
      't1/0@30',
      't1/1@35',
      't1/2@35',
    ]);
    stop();
  });

  it('reports only transitions, and stops probing a check that reached maxConsecutiveFailures', async () => {
    const { probes, checks, task, advance, summary, reports } = setUp();
    probes.script('t1/0', [success, success, failure(), failure(), success, failure(), failure(), failure()]);
    checks.start(task('t1', [aCheck()]), (report) => reports.push(report));
    await advance(200_000);
    expect(summary()).toEqual(['0:true:0', '0:false:1', '0:true:0', '0:false:1', '0:false:3']);
    expect(probes.started).toHaveLength(8); // none after the 3rd consecutive failure
    const last = reports.at(-1)!;
    expect(last).toMatchObject({
      kind: 'health',
      health: { checkIndex: 0, alive: false, lastFailure: '2026-01-01T00:01:10.000Z', lastFailureCause: 'HTTP 500' },
      message: 'health check 0 (HTTP): unhealthy (3 consecutive failures, maxConsecutiveFailures 3 reached): HTTP 500',
    });
  });

  it('ignores failures inside the grace period before the first success', async () => {
    const { probes, checks, task, advance, reports, summary } = setUp();
    probes.script('t1/0', [failure(), failure(), failure(), failure(), failure(), failure()]);
    checks.start(task('t1', [aCheck({ gracePeriodSeconds: 25 })]), (report) => reports.push(report));
    await advance(20_000);
    expect(summary()).toEqual([]); // probes at 0, 10, 20: inside the grace period
    await advance(10_000);
    expect(summary()).toEqual(['0:false:1']); // at 30
    await advance(20_000);
    expect(summary()).toEqual(['0:false:1', '0:false:3']);
  });

  it('fails a probe that outlives timeoutSeconds, aborting it', async () => {
    const { probes, checks, task, advance, reports } = setUp();
    probes.script('t1/0', ['hang']);
    checks.start(task('t1', [aCheck({ maxConsecutiveFailures: 1, timeoutSeconds: 2 })]), (report) =>
      reports.push(report),
    );
    await advance(1_500);
    expect(reports).toEqual([]);
    await advance(500);
    expect(probes.aborted).toEqual(['t1/0']);
    expect(reports).toMatchObject([{ health: { alive: false, lastFailureCause: 'timed out after 2 s' } }]);
  });

  it('counts an ignored outcome (HTTP 1xx with ignoreHttp1xx) as nothing', async () => {
    const { probes, checks, task, advance, summary, reports } = setUp();
    const ignored: ProbeOutcome = { kind: 'ignored', cause: 'HTTP 102 (informational)' };
    probes.script('t1/0', [success, ignored, ignored, success]);
    checks.start(task('t1', [aCheck()]), (report) => reports.push(report));
    await advance(31_000);
    expect(summary()).toEqual(['0:true:0']);
    expect(probes.started).toHaveLength(4);
  });

  it('stop() cancels the next probe and aborts the one in flight, whose result is dropped', async () => {
    const { probes, checks, task, advance, reports } = setUp();
    probes.script('t1/0', ['hang']);
    const stop = checks.start(task('t1', [aCheck({ timeoutSeconds: 60 })]), (report) => reports.push(report));
    await advance(1_000);
    stop();
    await advance(100_000);
    expect(probes.aborted).toEqual(['t1/0']);
    expect(probes.started).toEqual(['t1/0@0']);
    expect(reports).toEqual([]);
  });

  it('reports readiness once, when a status is one of httpStatusCodesForReady, then stops probing it', async () => {
    const { probes, checks, task, advance, reports } = setUp();
    const response = (status: number): ReadinessOutcome => ({
      kind: 'response',
      status,
      contentType: 'text/plain',
      body: `s${status}`,
    });
    probes.script('t1/ready', [
      { kind: 'failure', cause: 'ECONNREFUSED' },
      response(503),
      response(204),
      response(200),
    ]);
    checks.start(task('t1', [], [aReadinessCheck({ httpStatusCodesForReady: [200, 204] })]), (r) => reports.push(r));
    await advance(60_000);
    expect(probes.started).toEqual(['t1/ready@0', 't1/ready@5', 't1/ready@10']);
    expect(reports).toEqual([
      {
        kind: 'readiness',
        readiness: {
          name: 'ready',
          ready: true,
          lastResponse: { status: 204, contentType: 'text/plain', body: 's204' },
        },
        message: 'readiness check ready: ready (HTTP 204)',
      },
    ]);
  });

  it('runs at most maxConcurrentProbes at once; the others wait their turn, and a stopped task leaves the queue', async () => {
    const { probes, checks, task, advance } = setUp({ maxConcurrentProbes: 2 });
    const stops = ['a', 'b', 'c', 'd'].map((id) => {
      probes.script(`${id}/0`, ['hang']);
      return checks.start(task(id, [aCheck({ timeoutSeconds: 3 })]), () => undefined);
    });
    await advance(100);
    expect(checks.stats().network).toEqual({ active: 2, waiting: 2 });
    expect(probes.started).toEqual(['a/0@0', 'b/0@0']);
    stops[2](); // c waits: it leaves the queue without running
    await advance(3_000); // a and b time out; d gets a slot, then a and b again after their interval
    expect(probes.started).toEqual(['a/0@0', 'b/0@0', 'd/0@3']);
    expect(checks.stats().network).toEqual({ active: 1, waiting: 0 });
    checks.close();
    await advance(100_000);
    expect(checks.stats().network).toEqual({ active: 0, waiting: 0 });
    expect(probes.started).toHaveLength(3);
  });

  it('an adopted task keeps its start: delaySeconds counts from runningSince, not from the adoption', async () => {
    const { clock, probes, checks, task, advance } = setUp();
    probes.script('t1/0', [success]);
    const adopted = {
      ...task('t1', [aCheck({ protocol: 'MESOS_HTTP', delaySeconds: 15 })]),
      runningSince: clock.now() - 10_000,
    };
    checks.start(adopted, () => undefined);
    await advance(5_000);
    expect(probes.started).toEqual(['t1/0@5']);
  });
});
