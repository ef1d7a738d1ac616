import fc from 'fast-check';
import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, createApp, reportStatus, updateApp } from '../testing/cluster-builders';
import { T0 } from '../testing/decider-spec';
import type { TaskRecord } from '../state';
import { restartBounds } from './reconcile';
import { isHealthy } from './task-health';

/**
 * Rolling restarts over random strategies, sizes and agent timings (which task reports first,
 * when kills are confirmed): the deployment never kills below minHealthy healthy tasks, never
 * runs more than its capacity, launches every instance once per version, and ends with exactly
 * `instances` healthy tasks of the new version. Marathon's rule (notes §5.4), checked on the
 * events the decider writes.
 */
const SECOND_MS = 1_000;
const ALL = -1;
const agent = anAgent('a1').withResources('cpus:100;mem:100000;ports:[31000-31999]');

/** What the agents do between two ticks: report some staging tasks RUNNING, confirm some kills. */
const agentMoves = fc.array(fc.record({ running: fc.nat(), killed: fc.nat() }), { minLength: 1, maxLength: 60 });

const strategy = fc.record({
  instances: fc.integer({ min: 1, max: 8 }),
  minimumHealthCapacity: fc.constantFrom(0, 0.25, 0.5, 0.6, 1),
  maximumOverCapacity: fc.constantFrom(0, 0.5, 1),
});

const healthyCount = (tasks: readonly TaskRecord[]) => tasks.filter(isHealthy).length;

/** Starts the app (v1) and drives it until its first deployment is over. */
function running(s: ClusterScenario, app: Record<string, unknown>, now: { t: number }): void {
  s.run(agent.register({ now: now.t }));
  s.run(createApp('/web', app, now.t));
  for (let i = 0; i < 20 && s.state.deployments.size > 0; i++) {
    s.tick((now.t += SECOND_MS));
    s.reportAll((now.t += SECOND_MS));
  }
  expect(s.state.deployments.size).toBe(0);
}

describe('rolling restart (fast-check)', () => {
  it('keeps minHealthy and capacity, launches each instance once per version, and ends all new and healthy', () => {
    fc.assert(
      fc.property(strategy, agentMoves, ({ instances, ...upgradeStrategy }, moves) => {
        const s = new ClusterScenario();
        const now = { t: T0 };
        running(s, { instances, cpus: 0.1, mem: 16, upgradeStrategy }, now);
        const before = s.log.length;
        s.run(updateApp('/web', { cmd: 'sleep 2000' }, (now.t += SECOND_MS)));
        const app = s.state.apps.get('/web')!;
        const { minHealthy, capacity } = restartBounds(app);

        let updates = 0;
        const step = (running: number, killed: number) => {
          const healthyBefore = healthyCount(s.tasksOf('/web'));
          const sizeBefore = s.tasksOf('/web').length;
          const decided = s.tick((now.t += SECOND_MS));
          const tasks = s.tasksOf('/web');
          if (decided.some((e) => e.type === 'TaskKillRequested')) {
            // A deployment kill never takes the healthy count below minHealthy (nor lower than it was).
            expect(healthyCount(tasks)).toBeGreaterThanOrEqual(Math.min(minHealthy, healthyBefore));
          }
          if (decided.some((e) => e.type === 'TaskLaunched')) {
            expect(tasks.length).toBeLessThanOrEqual(Math.max(capacity, sizeBefore));
          }
          const staging = tasks.filter((t) => t.state === 'TASK_STAGING');
          const dying = tasks.filter((t) => t.killRequested);
          const howMany = (wanted: number, of: number) => (wanted === ALL ? of : wanted % (of + 1));
          for (const t of staging.slice(0, howMany(running, staging.length))) {
            s.run(reportStatus(t.taskId, t.agentId, 'TASK_RUNNING', { updateId: `u-${++updates}`, now: now.t }));
          }
          for (const t of dying.slice(0, howMany(killed, dying.length))) {
            s.run(reportStatus(t.taskId, t.agentId, 'TASK_KILLED', { updateId: `u-${++updates}`, now: now.t }));
          }
        };
        for (const move of moves) step(move.running, move.killed);
        // Then the agents do everything asked, until the deployment is over.
        for (let i = 0; i < 4 * instances + 10 && s.state.deployments.size > 0; i++) step(ALL, ALL);

        expect(s.state.deployments.size).toBe(0);
        const tasks = s.tasksOf('/web');
        expect(tasks).toHaveLength(instances);
        expect(tasks.every((t) => t.appVersion === app.version && isHealthy(t))).toBe(true);
        const launchedNew = s.log
          .slice(before)
          .filter((e) => e.type === 'TaskLaunched' && e.data.appVersion === app.version);
        expect(launchedNew).toHaveLength(instances);
      }),
      { numRuns: 150 },
    );
  });
});
