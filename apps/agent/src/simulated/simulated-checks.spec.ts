import { SteppedClock } from '../health/health-test-support';
import type { CheckedTask, CheckReport } from '../health/task-checks';
import type { HealthCheckSpec, ReadinessCheckSpec } from '../protocol/agent-protocol';
import { SimulatedChecks } from './simulated-checks';
import { taskFate, type FateSettings } from './task-fate';

const T0 = Date.UTC(2026, 0, 1);

const aCheck = (overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
  protocol: 'HTTP',
  path: '/',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 300,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  maxConsecutiveFailures: 3,
  delaySeconds: 15,
  ignoreHttp1xx: false,
  ...overrides,
});
const readiness: ReadinessCheckSpec = {
  name: 'ready',
  protocol: 'HTTP',
  path: '/ready',
  portIndex: 0,
  intervalSeconds: 5,
  timeoutSeconds: 1,
  httpStatusCodesForReady: [204, 200],
};

function setUp(fate: Partial<FateSettings> = {}, healthyAfterMs = 2_000) {
  const clock = new SteppedClock(T0);
  const settings: FateSettings = { seed: 'checks', runUpMs: 0, failureRate: 0, unhealthyRate: 0.5, ...fate };
  const checks = new SimulatedChecks({ clock, fate: settings, healthyAfterMs });
  const reports: { taskId: string; at: number; report: CheckReport }[] = [];
  const start = (taskId: string, health: HealthCheckSpec[], ready: ReadinessCheckSpec[] = []) => {
    const task: CheckedTask = {
      taskId,
      spec: {
        taskId,
        appId: '/a',
        appVersion: 'v',
        command: { shell: true, value: 'x' },
        env: {},
        ports: [1],
        host: 'sim-1',
      },
      healthChecks: health,
      readinessChecks: ready,
      runningSince: clock.now(),
    };
    return checks.start(task, (report) => reports.push({ taskId, at: (clock.now() - T0) / 1000, report }));
  };
  const summary = (taskId: string) =>
    reports
      .filter((entry) => entry.taskId === taskId)
      .map(({ at, report }) =>
        report.kind === 'health'
          ? `${at}s health ${report.health.checkIndex}:${report.health.alive}:${report.health.consecutiveFailures}`
          : `${at}s ready ${report.readiness.name} ${report.readiness.lastResponse?.status}`,
      );
  return { clock, checks, settings, start, summary, reports };
}

/** The first task ids whose fate under `settings` is healthy / unhealthy. */
function idsBy(settings: FateSettings, healthy: boolean, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    if (taskFate(`sim.${i}`, settings).healthy === healthy) ids.push(`sim.${i}`);
  }
  return ids;
}

describe('SimulatedChecks', () => {
  it('a healthy task reports alive:true for each check, and ready, healthyAfterMs after RUNNING; nothing more', async () => {
    const { clock, settings, start, summary, checks } = setUp();
    const [id] = idsBy(settings, true, 1);
    start(id, [aCheck(), aCheck({ protocol: 'TCP' })], [readiness]);
    await clock.advance(1_999);
    expect(summary(id)).toEqual([]);
    await clock.advance(600_000);
    expect(summary(id)).toEqual(['2s health 0:true:0', '2s health 1:true:0', '2s ready ready 204']);
    expect(checks.counts).toEqual({ healthy: 1, unhealthy: 0 });
    expect(clock.pending()).toBe(0);
  });

  it('an unhealthy task reports alive:false at healthyAfterMs (no grace), then reaches maxConsecutiveFailures one interval apart', async () => {
    const { clock, settings, start, summary, checks } = setUp();
    const [id] = idsBy(settings, false, 1);
    start(
      id,
      [aCheck({ maxConsecutiveFailures: 3 }), aCheck({ maxConsecutiveFailures: 1, intervalSeconds: 1 })],
      [readiness],
    );
    await clock.advance(600_000);
    expect(summary(id)).toEqual(['2s health 0:false:1', '2s health 1:false:1', '22s health 0:false:3']);
    expect(checks.counts).toEqual({ healthy: 0, unhealthy: 1 });
    expect(clock.pending()).toBe(0);
  });

  it('maxConsecutiveFailures 0: one alive:false, then nothing', async () => {
    const { clock, settings, start, summary } = setUp();
    const [id] = idsBy(settings, false, 1);
    start(id, [aCheck({ maxConsecutiveFailures: 0 })]);
    await clock.advance(600_000);
    expect(summary(id)).toEqual(['2s health 0:false:1']);
    expect(clock.pending()).toBe(0);
  });

  it('a task without checks reports nothing', async () => {
    const { clock, start, reports } = setUp({ unhealthyRate: 0 });
    start('sim.plain', []);
    await clock.advance(60_000);
    expect(reports).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('chooses about unhealthyRate of the tasks, as taskFate says', async () => {
    const { clock, settings, start, reports } = setUp({ unhealthyRate: 0.3 }, 0);
    const ids = Array.from({ length: 400 }, (_, i) => `sim.${i}`);
    for (const id of ids) start(id, [aCheck()]);
    await clock.advance(0);
    const unhealthy = reports.filter((entry) => entry.report.kind === 'health' && !entry.report.health.alive);
    expect(unhealthy.map((entry) => entry.taskId)).toEqual(ids.filter((id) => !taskFate(id, settings).healthy));
    expect(unhealthy.length / ids.length).toBeGreaterThan(0.24);
    expect(unhealthy.length / ids.length).toBeLessThan(0.36);
  });

  it('stop() and close() cancel what was scheduled', async () => {
    const { clock, settings, start, summary, checks } = setUp();
    const [sick, other] = idsBy(settings, false, 2);
    const stop = start(sick, [aCheck()]);
    start(other, [aCheck()]);
    await clock.advance(5_000);
    stop();
    checks.close();
    await clock.advance(600_000);
    expect(summary(sick)).toEqual(['2s health 0:false:1']);
    expect(summary(other)).toEqual(['2s health 0:false:1']);
    expect(clock.pending()).toBe(0);
  });
});
