import fc from 'fast-check';
import { decodeRecord } from '@cairn/events';
import { evolve } from '../decider';
import { addResources, containsResources, countPorts, EMPTY_RESOURCES, Resources } from '../resources';
import { ClusterState, initialState } from '../state';
import { stateJson } from '../testing/decider-spec';
import { AGENTS, LiveCluster, runSteps, stepRun } from '../testing/cluster-arbitraries';
import { activeTaskCount, launchQueue } from './launch-queue';
import { lockingDeployments } from '../deployments/deployment.decider';
import { restartBounds } from '../deployments/reconcile';

/**
 * Safety and liveness of scheduling over random cluster runs (testing/cluster-arbitraries.ts):
 * agents come and go, apps change, ticks launch, agents report. Each property is a sentence
 * that must hold after every step of every run.
 */
const NUM_RUNS = 100;

/** What the tasks on each agent hold, and whether their ports overlap. */
function usageByAgent(state: ClusterState): Map<string, { used: Resources; portsOverlap: boolean }> {
  const usage = new Map<string, { used: Resources; portCount: number }>();
  for (const task of state.tasks.values()) {
    const current = usage.get(task.agentId) ?? { used: EMPTY_RESOURCES, portCount: 0 };
    usage.set(task.agentId, {
      used: addResources(current.used, task.resources),
      portCount: current.portCount + countPorts(task.resources.ports),
    });
  }
  return new Map(
    [...usage].map(([agentId, { used, portCount }]) => [
      agentId,
      { used, portsOverlap: countPorts(used.ports) !== portCount },
    ]),
  );
}

describe('scheduling (fast-check)', () => {
  it('never launches more on an agent than it has free', () => {
    fc.assert(
      fc.property(stepRun(), (steps) => {
        runSteps(steps, (cluster) => {
          for (const [agentId, { used, portsOverlap }] of usageByAgent(cluster.live)) {
            const agent = cluster.live.agents.get(agentId);
            expect(agent).toBeDefined();
            // Σ resources of its non-terminal tasks <= its total (cpus, mem, disk, and ports inside its ranges)
            expect({ agentId, fits: containsResources(agent!.resources, used) }).toEqual({ agentId, fits: true });
            expect({ agentId, portsOverlap }).toEqual({ agentId, portsOverlap: false });
          }
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never launches on an agent that is not ACTIVE', () => {
    fc.assert(
      fc.property(stepRun(), (steps) => {
        runSteps(steps, (cluster) => {
          const { events, agentStatusBefore } = cluster.decided[cluster.decided.length - 1];
          for (const event of events) {
            if (event.type !== 'TaskLaunched') continue;
            expect({ agent: event.data.agentId, status: agentStatusBefore.get(event.data.agentId) }).toEqual({
              agent: event.data.agentId,
              status: 'ACTIVE',
            });
          }
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('launches never take an app beyond its instances, nor beyond its upgrade capacity while it restarts', () => {
    fc.assert(
      fc.property(stepRun(), (steps) => {
        runSteps(steps, (cluster) => {
          const { events } = cluster.decided[cluster.decided.length - 1];
          const launched = new Set(events.flatMap((e) => (e.type === 'TaskLaunched' ? [e.data.appId] : [])));
          for (const app of cluster.live.apps.values()) {
            const [deployment] = lockingDeployments(cluster.live, [app.id]);
            const restarting = deployment?.steps[deployment.currentStep]?.actions.some(
              (a) => a.app === app.id && a.action === 'RestartApplication',
            );
            const nonTerminal = [...cluster.live.tasks.values()].filter((t) => t.appId === app.id).length;
            if (restarting) {
              if (launched.has(app.id))
                expect({ app: app.id, nonTerminal }).toEqual({
                  app: app.id,
                  nonTerminal: Math.min(nonTerminal, restartBounds(app).capacity),
                });
            } else if (!deployment || launched.has(app.id)) {
              // Without a deployment, and whenever a scale step launches: the level rule.
              expect({ app: app.id, active: activeTaskCount(cluster.live, app.id) <= app.instances }).toEqual({
                app: app.id,
                active: true,
              });
            }
          }
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('no task id is launched twice', () => {
    fc.assert(
      fc.property(stepRun(), (steps) => {
        const cluster = runSteps(steps);
        const launched = cluster.decided.flatMap(({ events }) =>
          events.flatMap((e) => (e.type === 'TaskLaunched' ? [e.data.taskId] : [])),
        );
        expect(launched.length).toBe(new Set(launched).size);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('replay equals live: folding the recorded events (through the codec) gives the state that decided them, and decide never touches the state', () => {
    fc.assert(
      fc.property(stepRun(), (steps) => {
        const cluster = runSteps(steps, undefined, { checkPurity: true });
        const replayed = cluster.log
          .map(decodeRecord)
          .reduce<ClusterState>((state, e) => evolve(state, e), initialState());
        expect(stateJson(replayed)).toBe(stateJson(cluster.live));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('owned replay equals shared replay: updating records in place (start-up replay) folds to the same state as replacing them', () => {
    fc.assert(
      fc.property(stepRun(), (steps) => {
        const cluster = runSteps(steps);
        const shared = cluster.log
          .map(decodeRecord)
          .reduce<ClusterState>((state, e) => evolve(state, e), initialState());
        const owned = cluster.log
          .map(decodeRecord)
          .reduce<ClusterState>((state, e) => evolve(state, e, 'owned'), initialState());
        expect(stateJson(owned)).toBe(stateJson(shared));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the launch queue converges: with room enough and every task reported RUNNING, each app gets exactly its instances', () => {
    // No disconnects, every agent registered before settling, apps of 0.1 cpu, 32 MB, no ports and
    // at most 5 instances: the three agents hold all 15 even while killed tasks wait for TASK_KILLED.
    const SETTLE_ROUNDS = 12;
    const ROUND_MS = 301_000; // beyond the longest backoff (20 s here) and the decline filter (120 s)
    fc.assert(
      fc.property(stepRun({ disconnects: false, maxInstances: 5 }), (steps) => {
        const cluster = runSteps(
          steps.map(([s, ms]) => [s.kind === 'create' || s.kind === 'change' ? withSmallApp(s) : s, ms]),
        );
        for (const agent of AGENTS) {
          if (!cluster.live.agents.has(agent.agentId)) cluster.execute(agent.register({ now: cluster.now }));
        }
        for (let round = 0; round < SETTLE_ROUNDS; round++) {
          cluster.now += ROUND_MS;
          cluster.tick();
          settleReports(cluster);
        }
        for (const app of cluster.live.apps.values()) {
          expect({ app: app.id, active: activeTaskCount(cluster.live, app.id) }).toEqual({
            app: app.id,
            active: app.instances,
          });
        }
        expect(launchQueue(cluster.live, cluster.now)).toEqual([]);
        // Settled: an idle cluster writes nothing.
        cluster.now += ROUND_MS;
        expect(cluster.tick()).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** The agents answer: STAGING and STARTING tasks run, killed tasks end. */
function settleReports(cluster: LiveCluster): void {
  for (const task of [...cluster.live.tasks.values()]) {
    if (task.killRequested) cluster.report(task.taskId, task.agentId, 'TASK_KILLED');
    else if (task.state !== 'TASK_RUNNING') cluster.report(task.taskId, task.agentId, 'TASK_RUNNING');
  }
}

/** Caps an app so that three of them fit the property's agents together. */
function withSmallApp<S extends { fields: Record<string, unknown> }>(s: S): S {
  const fields = { ...s.fields };
  fields.cpus = Math.min(fields.cpus as number, 0.1);
  fields.mem = Math.min(fields.mem as number, 32);
  fields.disk = 0;
  fields.instances = Math.min(fields.instances as number, 5);
  // No ports and no container: three small agents have 18 ports, and only a2 runs DOCKER.
  fields.portDefinitions = [];
  delete fields.requirePorts;
  delete fields.container;
  return { ...s, fields };
}
