import fc from 'fast-check';
import { decodeRecord } from '@cairn/events';
import { evolve } from '../decider';
import { initialState, type ClusterState } from '../state';
import { runSteps, stepRun } from '../testing/cluster-arbitraries';
import { draft } from '../command';
import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, createApp, reportStatus } from '../testing/cluster-builders';
import { meta, stateAfter, stateJson, T0 } from '../testing/decider-spec';
import type { TaskRecord } from '../state';
import { restartBounds } from '../deployments/reconcile';
import { isHealthy } from '../deployments/task-health';

/**
 * Drains over random strategies, sizes and agent timings: every task of an app moves off the
 * drained agent without the healthy count ever dropping below the app's minimumHealthCapacity
 * floor because of a kill, without running more than its capacity, and the drain ends
 * (AgentDrained) with `instances` healthy tasks, all on the other agent. Replay gives the live state.
 */
const SECOND_MS = 1_000;
const ALL = -1;
const a1 = anAgent('a1').withResources('cpus:100;mem:100000;ports:[31000-31999]');
const a2 = anAgent('a2').withResources('cpus:100;mem:100000;ports:[32000-32999]');

const agentMoves = fc.array(fc.record({ running: fc.nat(), killed: fc.nat() }), { minLength: 1, maxLength: 60 });
const strategy = fc.record({
  instances: fc.integer({ min: 1, max: 8 }),
  minimumHealthCapacity: fc.constantFrom(0, 0.25, 0.5, 0.6, 1),
  maximumOverCapacity: fc.constantFrom(0, 0.5, 1),
});
const healthyCount = (tasks: readonly TaskRecord[]) => tasks.filter(isHealthy).length;

describe('agent drain (fast-check)', () => {
  it('moves every task off the agent, holding minimumHealthCapacity and capacity, and ends drained', () => {
    fc.assert(
      fc.property(strategy, agentMoves, ({ instances, ...upgradeStrategy }, moves) => {
        const s = new ClusterScenario().given([
          draft('ClusterVersionRaised', { version: 3, previous: 1, leader: 'm:8080' }),
        ]);
        const now = { t: T0 };
        s.run(a1.register({ now: now.t }));
        s.run(createApp('/web', { instances, cpus: 0.1, mem: 16, upgradeStrategy }, now.t));
        for (let i = 0; i < 20 && s.state.deployments.size > 0; i++) {
          s.tick((now.t += SECOND_MS));
          s.reportAll((now.t += SECOND_MS));
        }
        s.run(a2.register({ now: (now.t += SECOND_MS) }));
        expect(s.tasksOf('/web').every((t) => t.agentId === 'a1' && isHealthy(t))).toBe(true);
        const { minHealthy, capacity } = restartBounds(s.state.apps.get('/web')!);
        s.run({ kind: 'DrainAgent', agentId: 'a1', deadlineSeconds: null, force: false, meta: meta((now.t += 1)) });

        let updates = 0;
        const step = (running: number, killed: number) => {
          const healthyBefore = healthyCount(s.tasksOf('/web'));
          const sizeBefore = s.tasksOf('/web').length;
          const decided = s.tick((now.t += SECOND_MS));
          const tasks = s.tasksOf('/web');
          if (decided.some((e) => e.type === 'TaskKillRequested')) {
            expect(healthyCount(tasks)).toBeGreaterThanOrEqual(Math.min(minHealthy, healthyBefore));
          }
          if (decided.some((e) => e.type === 'TaskLaunched')) {
            expect(tasks.length).toBeLessThanOrEqual(Math.max(capacity, sizeBefore));
          }
          expect(decided.filter((e) => e.type === 'TaskLaunched' && e.data.agentId === 'a1')).toEqual([]);
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
        const draining = () => s.state.agents.get('a1')!.drain!.state === 'DRAINING';
        for (let i = 0; i < 4 * instances + 10 && (s.state.deployments.size > 0 || draining()); i++) step(ALL, ALL);

        expect(s.state.deployments.size).toBe(0);
        expect(s.state.agents.get('a1')!.drain!.state).toBe('DRAINED');
        const tasks = s.tasksOf('/web');
        expect(tasks).toHaveLength(instances);
        expect(tasks.every((t) => t.agentId === 'a2' && isHealthy(t))).toBe(true);
        expect(s.log.filter((e) => e.type === 'AgentDrained')).toHaveLength(1);
        expect(stateJson(stateAfter(s.log))).toBe(stateJson(s.state));
      }),
      { numRuns: 150 },
    );
  });
});

describe('agent drain in random cluster runs (fast-check)', () => {
  it('never places on an agent in maintenance, drains only empty agents, leaves a drained agent empty, and replays to the live state', () => {
    fc.assert(
      fc.property(stepRun({ drains: true }), (steps) => {
        const cluster = runSteps(
          steps,
          (c, _command, events) => {
            for (const event of events) {
              if (event.type === 'TaskLaunched') {
                // A decision that launches never changes maintenance: the state after it says.
                expect({ launchedOn: event.data.agentId, drain: c.live.agents.get(event.data.agentId)?.drain }).toEqual(
                  {
                    launchedOn: event.data.agentId,
                    drain: undefined,
                  },
                );
              }
              if (event.type === 'AgentDrained') {
                const left = [...c.live.tasks.values()].filter(
                  (t) => t.agentId === event.data.agentId && !t.unreachable?.inactive,
                );
                expect({ drained: event.data.agentId, left: left.map((t) => t.taskId) }).toEqual({
                  drained: event.data.agentId,
                  left: [],
                });
              }
            }
            if (_command.kind !== 'Tick') return;
            // After a tick, nothing on a drained agent still counts (killed, or unreachable).
            for (const task of c.live.tasks.values()) {
              if (c.live.agents.get(task.agentId)?.drain?.state !== 'DRAINED') continue;
              expect({ task: task.taskId, gone: task.killRequested || task.unreachable !== null }).toEqual({
                task: task.taskId,
                gone: true,
              });
            }
          },
          { checkPurity: true, clusterVersion: 3 },
        );
        const replayed = cluster.log
          .map(decodeRecord)
          .reduce<ClusterState>((state, e) => evolve(state, e), initialState());
        expect(stateJson(replayed)).toBe(stateJson(cluster.live));
      }),
      { numRuns: 150 },
    );
  });
});
