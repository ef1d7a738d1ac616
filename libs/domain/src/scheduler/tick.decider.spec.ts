import { encodeEvent } from '@cairn/events';
import { draft, type EventDraft } from '../command';
import { decide, evolve } from '../decider';
import { MAX_INSTANCES_PER_OFFER } from '../placement';
import { eventCounts, eventsOf, given, iso, recorded, stateAfter, T0 } from '../testing/decider-spec';
import { withoutCauses } from '../testing/decider-spec';
import { ClusterScenario } from '../testing/cluster-scenario';
import {
  AGENT_UNREACHABLE_MS,
  agentDisconnected,
  anAgent,
  appCreated,
  aTask,
  createApp,
  disconnectAgent,
  launchDelayed,
  scaleApp,
  tick,
} from '../testing/cluster-builders';
import {
  AGGREGATED_DECLINES_LEVEL,
  APPS_FRAMEWORK_ID,
  DECLINE_REFUSE_MS,
  LAUNCHES_PER_DECISION_MAX,
  OFFERS_PER_TICK_MAX,
  UNREACHABLE_TASKS_PER_TICK_MAX,
} from './tick.decider';

const SECOND_MS = 1_000;
const T1 = T0 + 10 * SECOND_MS;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

const a1 = anAgent('a1').withResources('cpus:4;mem:4096;disk:1000;ports:[31000-31009]');
const a2 = anAgent('a2').withResources('cpus:4;mem:4096;disk:1000;ports:[32000-32009]');
const BIG = 'cpus:1000;mem:1000000;disk:100000;ports:[10000-20000]';

const inRanges = (port: number, ranges: readonly (readonly [number, number])[]) =>
  ranges.some(([b, e]) => b <= port && port <= e);

describe('Tick: nothing to do', () => {
  it('an idle cluster (no app) decides nothing, even with agents', () => {
    given([a1.registered(), a2.registered()]).when(tick(T1)).thenNothingHappened();
  });

  it('apps that have all their instances decide nothing (an idle cluster writes nothing)', () => {
    given([a1.registered(), appCreated('/web', { instances: 1 }), ...aTask('/web', 'web.1').onAgent('a1').running()])
      .when(tick(T1))
      .thenNothingHappened();
  });

  it('an app with 0 instances decides nothing', () => {
    given([a1.registered(), appCreated('/web', { instances: 0 })])
      .when(tick(T1))
      .thenNothingHappened();
  });

  it('an app waiting for a cluster without agents decides nothing (no offers to answer)', () => {
    given([appCreated('/web', { instances: 2 })])
      .when(tick(T1))
      .thenNothingHappened();
  });

  it('an agent disconnected for less than the timeout is left alone', () => {
    given([a1.registered(), recorded(agentDisconnected('a1'), T0)])
      .when(tick(T0 + AGENT_UNREACHABLE_MS - 1))
      .thenNothingHappened();
  });
});

describe('Tick: launching', () => {
  const prodWeb = appCreated('/prod/web', {
    instances: 3,
    cpus: 0.5,
    mem: 256,
    disk: 10,
    env: { MODE: 'prod', DB_PASSWORD: { secret: 'db' } },
    taskKillGracePeriodSeconds: 7,
    portDefinitions: [{ port: 0, name: 'http' }, { port: 0 }],
  });
  const given3 = [a1.registered(), prodWeb];

  it('an app with 3 instances and one big agent: one offer, accepted, 3 tasks', () => {
    given(given3)
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 3 });
        expect(events.map((e) => e.type)).toEqual([
          'OffersMade',
          'OfferAccepted',
          'TaskLaunched',
          'TaskLaunched',
          'TaskLaunched',
        ]);
      });
  });

  it('the offer is the whole free agent, for the app scheduler', () => {
    given(given3)
      .when(tick(T1))
      .thenState((_state, events) => {
        const [made] = eventsOf(events, 'OffersMade');
        expect(made.offers).toEqual([
          {
            offerId: expect.stringMatching(new RegExp(`^${UUID}$`)),
            frameworkId: APPS_FRAMEWORK_ID,
            agentId: 'a1',
            resources: { cpus: 4, mem: 4096, disk: 1000, ports: [[31000, 31009]] },
          },
        ]);
        const [accepted] = eventsOf(events, 'OfferAccepted');
        expect(accepted).toEqual({
          offerId: made.offers[0].offerId,
          taskIds: eventsOf(events, 'TaskLaunched').map((t) => t.taskId),
        });
      });
  });

  it("tasks carry Marathon's ids, the app's command, plain env, version and the agent's host", () => {
    given(given3)
      .when(tick(T1))
      .thenState((_state, events) => {
        const [offerId] = eventsOf(events, 'OffersMade')[0].offers.map((o) => o.offerId);
        for (const task of eventsOf(events, 'TaskLaunched')) {
          expect(task).toEqual({
            taskId: expect.stringMatching(new RegExp(`^prod_web\\.${UUID}$`)),
            appId: '/prod/web',
            appVersion: iso(T0),
            agentId: 'a1',
            host: 'a1.example',
            offerId,
            resources: { cpus: 0.5, mem: 256, disk: 10, ports: [expect.any(Array)] },
            ports: [expect.any(Number), expect.any(Number)],
            portNames: ['http', null],
            command: { shell: true, value: 'sleep 1000' },
            env: { MODE: 'prod' }, // a secret reference is not a value a process can get
            killGracePeriodSeconds: 7,
            healthChecks: [],
            readinessChecks: [],
            placement: { agentsOffered: 1, passedOver: [], passedOverByReason: {} },
            fetch: [],
          });
        }
      });
  });

  it("ports are distinct and taken from the agent's ranges, and each task's resources hold its ports", () => {
    given(given3)
      .when(tick(T1))
      .thenState((_state, events) => {
        const tasks = eventsOf(events, 'TaskLaunched');
        const ports = tasks.flatMap((t) => t.ports);
        expect(ports).toHaveLength(6);
        expect(new Set(ports).size).toBe(6);
        for (const port of ports) expect(inRanges(port, [[31000, 31009]])).toBe(true);
        for (const task of tasks)
          for (const port of task.ports) expect(inRanges(port, task.resources.ports)).toBe(true);
      });
  });

  it('an app with args is executed directly, without a shell', () => {
    given([a1.registered(), appCreated('/web', { cmd: undefined, args: ['/bin/server', '--port', '$PORT0'] })])
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'TaskLaunched')[0].command).toEqual({
          shell: false,
          args: ['/bin/server', '--port', '$PORT0'],
        });
      });
  });

  it('the same state and seed decide the same events; another seed other ids', () => {
    const decideWith = (seed: string) => decide(tick(T1, { seed }), stateAfter(given3));
    expect(decideWith('s-1')).toEqual(decideWith('s-1'));
    const ids = (events: EventDraft[]) => eventsOf(events, 'TaskLaunched').map((t) => t.taskId);
    expect(ids(decideWith('s-2'))).not.toEqual(ids(decideWith('s-1')));
  });

  it('a tick never launches a task id that is already live, even when its seed repeats', () => {
    // The master draws tick seeds from SeededIdSource(CAIRN_SEED): a master restarted with the
    // same CAIRN_SEED draws the same seeds again, under tasks launched with them.
    const s = new ClusterScenario();
    s.run(a1.register());
    s.run(createApp('/web', { instances: 1 }));
    const first = s.run(tick(T0 + SECOND_MS, { seed: 'restarted' }));
    s.run(scaleApp('/web', 2, T0 + 2 * SECOND_MS));
    const second = decide(tick(T0 + 3 * SECOND_MS, { seed: 'restarted' }), s.state);
    const live = eventsOf(first, 'TaskLaunched')[0].taskId;
    expect(eventsOf(second, 'TaskLaunched').map((t) => t.taskId)).not.toContain(live);
  });

  it('launched tasks are STAGING, staged at the tick, and take the agent resources', () => {
    given(given3)
      .when(tick(T1))
      .thenState((state) => {
        const tasks = [...state.tasks.values()];
        expect(tasks.map((t) => [t.state, t.stagedAt, t.startedAt, t.killRequested])).toEqual(
          Array(3).fill(['TASK_STAGING', iso(T1), null, false]),
        );
        expect(state.pendingOffers.size).toBe(0); // every offer is answered in its own batch
      });
  });

  it(`at most MAX_INSTANCES_PER_OFFER (${MAX_INSTANCES_PER_OFFER}) tasks per offer; what a full one leaves is offered again in the same pass`, () => {
    const s = new ClusterScenario();
    s.run(a1.withResources('cpus:8;mem:8192;ports:[31000-31099]').register());
    s.run(createApp('/web', { instances: 8, cpus: 0.5, mem: 64 }));
    const events = s.tick(T0 + 1 * SECOND_MS);
    expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferAccepted: 2, TaskLaunched: 8 });
    const [made] = eventsOf(events, 'OffersMade');
    expect(made.offers.map((o) => [o.agentId, o.resources.cpus, o.resources.mem])).toEqual([
      ['a1', 8, 8192],
      ['a1', 8 - MAX_INSTANCES_PER_OFFER * 0.5, 8192 - MAX_INSTANCES_PER_OFFER * 64],
    ]);
    const launched = eventsOf(events, 'TaskLaunched');
    expect(launched.map((t) => t.offerId)).toEqual([
      ...Array(MAX_INSTANCES_PER_OFFER).fill(made.offers[0].offerId),
      ...Array(8 - MAX_INSTANCES_PER_OFFER).fill(made.offers[1].offerId),
    ]);
    expect(new Set(launched.flatMap((t) => t.ports)).size).toBe(8);
    expect(launched.map((t) => t.placement?.agentsOffered)).toEqual(Array(8).fill(1)); // one agent, offered twice
    expect(s.tick(T0 + 2 * SECOND_MS)).toEqual([]); // the ScaleApplication step waits for TASK_RUNNING
    expect(s.activeCount('/web')).toBe(8);
  });

  it('a full offer whose leftover no waiting task fits in is not offered again (nor declined and filtered)', () => {
    const s = new ClusterScenario();
    s.run(a1.withResources('cpus:2.5;mem:8192;ports:[31000-31099]').register());
    s.run(createApp('/web', { instances: 8, cpus: 0.5, mem: 64 }));
    expect(eventCounts(s.tick(T0 + 1 * SECOND_MS))).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 5 });
    expect(s.state.offerFilters.size).toBe(0);
  });

  it(`offers again within OFFERS_PER_TICK_MAX (${OFFERS_PER_TICK_MAX}) offers a pass: one agent takes at most LAUNCHES_PER_DECISION_MAX a tick`, () => {
    const s = new ClusterScenario();
    s.run(a1.withResources('cpus:10000;mem:1000000;ports:[20000-29999]').register());
    s.run(createApp('/web', { instances: 2 * LAUNCHES_PER_DECISION_MAX, cpus: 0.01, mem: 1 }));
    const events = s.tick(T0 + 1 * SECOND_MS);
    expect(eventCounts(events)).toEqual({
      OffersMade: 1,
      OfferAccepted: OFFERS_PER_TICK_MAX,
      TaskLaunched: LAUNCHES_PER_DECISION_MAX,
    });
    expect(eventsOf(events, 'OffersMade')[0].offers).toHaveLength(OFFERS_PER_TICK_MAX);
  });

  it('two apps share one offer; their ports do not collide', () => {
    given([a1.registered(), appCreated('/api', { instances: 2 }), appCreated('/web', { instances: 2 })])
      .when(tick(T1))
      .thenState((_state, events) => {
        const tasks = eventsOf(events, 'TaskLaunched');
        expect(tasks.map((t) => t.appId)).toEqual(['/api', '/api', '/web', '/web']);
        expect(new Set(tasks.flatMap((t) => t.ports)).size).toBe(4);
      });
  });

  it('a second agent takes what the first could not', () => {
    // a1 holds 4 tasks of 1 cpu; the 5th goes to a2.
    given([a1.registered(), a2.registered(), appCreated('/web', { instances: 5, cpus: 1 })])
      .when(tick(T1))
      .thenState((state, events) => {
        expect(eventCounts(events)).toMatchObject({ OffersMade: 1, OfferAccepted: 2, TaskLaunched: 5 });
        const byAgent = [...state.tasks.values()].map((t) => t.agentId).sort();
        expect(byAgent).toEqual(['a1', 'a1', 'a1', 'a1', 'a2']);
      });
  });

  it('an agent whose tasks hold all its cpus and memory is not offered', () => {
    given([
      anAgent('small').withResources('cpus:1;mem:128;ports:[31000-31009]').registered(),
      appCreated('/web', { instances: 2 }),
      aTask('/web', 'web.1').onAgent('small').withResources('cpus:1;mem:128;ports:[31000-31000]').launched(),
    ])
      .when(tick(T1))
      .thenNothingHappened();
  });
});

describe('Tick: an app too big', () => {
  const big = appCreated('/big', { instances: 1, cpus: 16, mem: 128 });

  it('the offer is declined with every reason and its numbers, and the agent is filtered', () => {
    given([a1.registered(), big])
      .when(tick(T1))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferDeclined: 1 });
        const [declined] = eventsOf(events, 'OfferDeclined');
        expect(declined).toEqual({
          offerId: eventsOf(events, 'OffersMade')[0].offers[0].offerId,
          refuseUntil: iso(T1 + DECLINE_REFUSE_MS),
          reasons: { '/big': [{ reason: 'InsufficientCpus', requested: 16, available: 4 }] },
        });
        expect(state.queueReasons.get('/big')).toEqual([{ reason: 'InsufficientCpus', requested: 16, available: 4 }]);
        expect(state.offerFilters.get(`${APPS_FRAMEWORK_ID} a1`)).toBe(T1 + DECLINE_REFUSE_MS);
      });
  });

  it('while the filter is in force the next tick decides nothing', () => {
    const s = new ClusterScenario();
    s.given([a1.registered(), big]);
    expect(eventCounts(s.tick(T1))).toEqual({ OffersMade: 1, OfferDeclined: 1 });
    expect(s.tick(T1 + SECOND_MS)).toEqual([]);
    expect(s.tick(T1 + DECLINE_REFUSE_MS - 1)).toEqual([]);
    // From refuseUntil on, the agent is offered again (and declined again).
    expect(eventCounts(s.tick(T1 + DECLINE_REFUSE_MS))).toEqual({ OffersMade: 1, OfferDeclined: 1 });
  });

  describe(`from cluster version ${AGGREGATED_DECLINES_LEVEL}: one OffersDeclined per allocation pass`, () => {
    const raised = draft('ClusterVersionRaised', { version: AGGREGATED_DECLINES_LEVEL, previous: 1, leader: 'm:1' });
    const small = (i: number) =>
      anAgent(`s${i}`).withResources(`cpus:1;mem:256;disk:100;ports:[${31000 + i * 10}-${31000 + i * 10 + 9}]`);
    const agents = [0, 1, 2, 3, 4].map((i) => small(i).registered());
    // /fits takes one slot of one agent; /big fits none; the rest of the pass declines.
    const apps = [
      appCreated('/big', { instances: 1, cpus: 16, mem: 128 }),
      appCreated('/fits', { instances: 1, cpus: 1, mem: 64 }),
    ];

    it('declines every unused offer of the pass in one record, with each waiting app reasons', () => {
      given([raised, ...agents, ...apps])
        .when(tick(T1))
        .thenState((state, events) => {
          expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 1, OffersDeclined: 1 });
          const [declined] = eventsOf(events, 'OffersDeclined');
          expect(declined.offers).toHaveLength(4);
          expect(declined.refuseUntil).toBe(iso(T1 + DECLINE_REFUSE_MS));
          expect(Object.keys(declined.reasons)).toEqual(['/big']); // /fits was launched
          expect(state.offerFilters.size).toBe(4);
          expect(state.pendingOffers.size).toBe(0);
        });
    });

    it('folds to the same offers, filters and queue reasons as an OfferDeclined per offer', () => {
      const run = (versionEvents: EventDraft[]) => {
        const s = new ClusterScenario();
        s.given([...versionEvents, ...agents, ...apps]);
        s.tick(T1);
        s.tick(T1 + DECLINE_REFUSE_MS);
        return {
          filters: [...s.state.offerFilters].sort(),
          pending: [...s.state.pendingOffers],
          reasons: [...s.state.queueReasons].sort(),
          types: eventCounts(s.log.filter((e) => e.type.startsWith('Offer'))),
        };
      };
      const perOffer = run([]);
      const perPass = run([raised]);
      // The second pass: no agent holds /big's 16 cpus, so one offer says why (not all five).
      expect(perOffer.types).toEqual({ OffersMade: 2, OfferAccepted: 1, OfferDeclined: 5 });
      expect(perPass.types).toEqual({ OffersMade: 2, OfferAccepted: 1, OffersDeclined: 2 });
      expect({ ...perPass, types: null }).toEqual({ ...perOffer, types: null });
    });
  });

  it('every shortage is reported, not only the first', () => {
    given([a1.registered(), appCreated('/huge', { cpus: 16, mem: 10_000, disk: 5_000 })])
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'OfferDeclined')[0].reasons['/huge']).toEqual([
          { reason: 'InsufficientCpus', requested: 16, available: 4 },
          { reason: 'InsufficientMemory', requested: 10_000, available: 4096 },
          { reason: 'InsufficientDisk', requested: 5_000, available: 1000 },
        ]);
      });
  });

  it('an app asking for a container no agent runs waits with that reason', () => {
    given([a1.registered(), appCreated('/docker', { container: { type: 'DOCKER', docker: { image: 'nginx' } } })])
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'OfferDeclined')[0].reasons['/docker']).toEqual([
          { reason: 'UnsupportedContainer', requested: 'DOCKER', available: ['MESOS'] },
        ]);
      });
  });

  it.each([
    ['a scale (AppScaled)', () => scaleApp('/big', 2, T1 + 2 * SECOND_MS)],
    ['a new app (AppCreated)', () => createApp('/small', { instances: 1, cpus: 0.5 }, T1 + 2 * SECOND_MS)],
  ])('%s revives: the filters are dropped and the agent is offered again', (_name, command) => {
    const s = new ClusterScenario();
    s.given([a1.registered(), big]);
    s.tick(T1);
    expect(s.tick(T1 + SECOND_MS)).toEqual([]);
    s.run(command());
    expect(s.state.offerFilters.size).toBe(0);
    expect(eventCounts(s.tick(T1 + 3 * SECOND_MS))).toMatchObject({ OffersMade: 1 });
  });

  it('once an app launches, its queue reasons are gone', () => {
    const s = new ClusterScenario();
    s.given([a1.registered(), big]);
    s.tick(T1);
    s.run({
      kind: 'UpdateApp',
      force: true,
      appId: '/big',
      body: { cpus: 1 },
      partial: true,
      meta: tick(T1 + SECOND_MS).meta,
    });
    expect(eventCounts(s.tick(T1 + 2 * SECOND_MS))).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 1 });
    expect(s.state.queueReasons.has('/big')).toBe(false);
  });
});

describe('Tick: backoff', () => {
  const web = appCreated('/web', { instances: 1 });

  it('an app backing off is not launched before its delay ends', () => {
    given([a1.registered(), web, launchDelayed('/web', 3, T1 + 5 * SECOND_MS)])
      .when(tick(T1))
      .thenNothingHappened();
  });

  it('a millisecond before the delay ends: still nothing; at its end: launched', () => {
    const until = T1 + 5 * SECOND_MS;
    given([a1.registered(), web, launchDelayed('/web', 3, until)])
      .when(tick(until - 1))
      .thenNothingHappened();
    given([a1.registered(), web, launchDelayed('/web', 3, until)])
      .when(tick(until))
      .thenState((_state, events) =>
        expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 1 }),
      );
  });

  it('a backing-off app does not stop another app from launching', () => {
    given([a1.registered(), web, launchDelayed('/web', 1, T1 + 5 * SECOND_MS), appCreated('/api')])
      .when(tick(T1))
      .thenState((_state, events) => expect(eventsOf(events, 'TaskLaunched').map((t) => t.appId)).toEqual(['/api']));
  });

  it('a failed task is replaced once the backoff has passed', () => {
    const s = new ClusterScenario();
    s.run(a1.register());
    s.run(createApp('/web', { instances: 1 }));
    s.tick(T0 + SECOND_MS);
    const [task] = s.tasksOf('/web');
    s.run({ ...reportFailed(task.taskId), meta: tick(T1).meta });
    expect(s.state.launchDelays.get('/web')).toEqual({ failures: 1, untilMs: T1 + SECOND_MS }); // backoffSeconds 1
    expect(s.tick(T1 + SECOND_MS - 1)).toEqual([]);
    const pass = s.tick(T1 + SECOND_MS);
    expect(eventCounts(pass)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 1 });
    expect(eventsOf(pass, 'TaskLaunched')[0].taskId).not.toBe(task.taskId);
  });
});

function reportFailed(taskId: string) {
  return {
    kind: 'ReportTaskStatus' as const,
    agentId: 'a1',
    taskId,
    state: 'TASK_FAILED' as const,
    updateId: `${taskId}-failed`,
    reason: null,
    message: null,
    exitCode: 1,
  };
}

describe('Tick: agents lost', () => {
  it('an agent disconnected longer than the timeout is unreachable, and its tasks too', () => {
    const disconnectedAt = T0 + SECOND_MS;
    const now = disconnectedAt + AGENT_UNREACHABLE_MS;
    given([
      a1.registered(),
      appCreated('/web', { instances: 2 }),
      ...aTask('/web', 'web.1').onAgent('a1').running(),
      aTask('/web', 'web.2').onAgent('a1').launched(),
      recorded(agentDisconnected('a1'), disconnectedAt),
    ])
      .when(tick(now))
      .thenState((state, events) => {
        const unreachable = (taskId: string): EventDraft => ({
          type: 'TaskStatusUpdated',
          data: {
            taskId,
            agentId: 'a1',
            state: 'TASK_UNREACHABLE',
            updateId: null,
            reason: 'REASON_AGENT_UNREACHABLE',
            message: `agent a1.example stayed away for ${AGENT_UNREACHABLE_MS} ms`,
            exitCode: null,
          },
        });
        expect(withoutCauses(events)).toEqual([
          { type: 'AgentUnreachable', data: { agentId: 'a1' } },
          unreachable('web.1'),
          unreachable('web.2'),
        ]);
        expect(state.agents.get('a1')?.status).toBe('UNREACHABLE');
        expect(state.tasks.size).toBe(0);
      });
  });

  it('an unreachable agent is decided once: the next tick decides nothing about it', () => {
    const s = new ClusterScenario();
    s.given([a1.registered()]);
    s.run(disconnectAgent('a1', T0));
    expect(eventCounts(s.tick(T0 + AGENT_UNREACHABLE_MS))).toEqual({ AgentUnreachable: 1 });
    expect(s.tick(T0 + 2 * AGENT_UNREACHABLE_MS)).toEqual([]);
  });

  it("the lost agent's tasks are replaced elsewhere on the next pass, and killed if the agent comes back", () => {
    const s = new ClusterScenario();
    s.run(a1.register());
    s.run(createApp('/web', { instances: 2 }));
    s.tick(T0 + SECOND_MS);
    s.reportAll(T0 + 2 * SECOND_MS);
    const lost = s.tasksOf('/web').map((t) => t.taskId);
    expect(s.tasksOf('/web').map((t) => t.agentId)).toEqual(['a1', 'a1']);
    expect(eventCounts(s.tick(T0 + 2 * SECOND_MS))).toEqual({ DeploymentStepFinished: 1, DeploymentFinished: 1 });

    s.run(a2.register({ now: T0 + 3 * SECOND_MS }));
    s.run(disconnectAgent('a1', T0 + 4 * SECOND_MS));
    // Disconnected, not yet unreachable: its tasks still count, nothing is launched.
    expect(s.tick(T0 + 5 * SECOND_MS)).toEqual([]);

    const timeout = s.tick(T0 + 4 * SECOND_MS + AGENT_UNREACHABLE_MS);
    expect(eventCounts(timeout)).toEqual({ AgentUnreachable: 1, TaskStatusUpdated: 2 });

    const replace = s.tick(T0 + 5 * SECOND_MS + AGENT_UNREACHABLE_MS);
    expect(eventCounts(replace)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 2 });
    expect(eventsOf(replace, 'OffersMade')[0].offers.map((o) => o.agentId)).toEqual(['a2']);
    expect(s.tasksOf('/web').map((t) => t.agentId)).toEqual(['a2', 'a2']);

    const back = s.run(
      a1.reregister(
        lost.map((taskId) => ({ taskId, state: 'TASK_RUNNING' as const })),
        { now: T0 + 6 * SECOND_MS + AGENT_UNREACHABLE_MS },
      ),
    );
    expect(eventCounts(back)).toEqual({ AgentReregistered: 1, TaskKillRequested: 2 });
  });

  it(`a tick ends at most UNREACHABLE_TASKS_PER_TICK_MAX (${UNREACHABLE_TASKS_PER_TICK_MAX}) lost tasks; the next takes the other agents`, () => {
    const perAgent = Math.ceil((UNREACHABLE_TASKS_PER_TICK_MAX * 3) / 5); // two agents pass the bound, three do not fit
    const agents = ['l1', 'l2', 'l3'];
    const s = new ClusterScenario();
    s.given(agents.map((id) => anAgent(id).withResources(BIG).registered()));
    s.given([appCreated('/many', { instances: perAgent * agents.length, cpus: 0.01, mem: 1 })]);
    agents.forEach((agentId, a) => {
      for (let i = 0; i < perAgent; i++) s.given(aTask('/many', `many.${a}-${i}`).onAgent(agentId).running());
    });
    for (const agentId of agents) s.run(disconnectAgent(agentId, T0));
    const lostIn = (events: EventDraft[]) => eventsOf(events, 'AgentUnreachable').map((d) => d.agentId);
    const first = s.tick(T0 + AGENT_UNREACHABLE_MS);
    // Whole agents: the one that passes the bound keeps all its tasks in the same decision.
    expect(lostIn(first)).toEqual(['l1', 'l2']);
    expect(eventCounts(first).TaskStatusUpdated).toBe(2 * perAgent);
    const second = s.tick(T0 + AGENT_UNREACHABLE_MS + SECOND_MS);
    expect(lostIn(second)).toEqual(['l3']);
    expect(eventCounts(second).TaskStatusUpdated).toBe(perAgent);
    expect(s.state.tasks.size).toBe(0);
  });

  it('agents without tasks count towards the bound too: a tick marks at most that many unreachable', () => {
    const ids = Array.from({ length: UNREACHABLE_TASKS_PER_TICK_MAX + 200 }, (_, i) => `idle-${i}`);
    const s = new ClusterScenario();
    s.given(ids.map((id) => anAgent(id).registered()));
    for (const id of ids) s.run(disconnectAgent(id, T0));
    expect(eventCounts(s.tick(T0 + AGENT_UNREACHABLE_MS))).toEqual({
      AgentUnreachable: UNREACHABLE_TASKS_PER_TICK_MAX,
    });
    expect(eventCounts(s.tick(T0 + AGENT_UNREACHABLE_MS + SECOND_MS))).toEqual({ AgentUnreachable: 200 });
  });

  it('a disconnected agent is not offered', () => {
    given([a1.registered(), agentDisconnected('a1'), appCreated('/web', { instances: 1 })])
      .when(tick(T0 + SECOND_MS))
      .thenNothingHappened();
  });

  it('of two agents, only the connected one is offered', () => {
    given([a1.registered(), a2.registered(), agentDisconnected('a1'), appCreated('/web', { instances: 1 })])
      .when(tick(T0 + SECOND_MS))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'OffersMade')[0].offers.map((o) => o.agentId)).toEqual(['a2']);
        expect(eventsOf(events, 'TaskLaunched').map((t) => t.agentId)).toEqual(['a2']);
      });
  });
});

describe('Tick: ports and commands', () => {
  it('requirePorts with a fixed port and a dynamic one launches with both (port 0 = any, in order)', () => {
    // TaskDemand.requiredPorts lists every portDefinition, 0 meaning "any": dropping the zeros
    // made placement refuse the demand (PlacementInputError) and every tick throw.
    const app = appCreated('/fixed', { requirePorts: true, portDefinitions: [{ port: 31005 }, { port: 0 }] });
    given([a1.registered(), app])
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'TaskLaunched').map((t) => t.ports)).toEqual([[31005, 31000]]);
      });
  });

  it('requirePorts with only fixed ports launches on exactly those ports', () => {
    const app = appCreated('/fixed', { requirePorts: true, portDefinitions: [{ port: 31007 }, { port: 31003 }] });
    given([a1.registered(), app])
      .when(tick(T1))
      .thenState((_state, events) =>
        expect(eventsOf(events, 'TaskLaunched').map((t) => t.ports)).toEqual([[31007, 31003]]),
      );
  });

  it('requirePorts on a port the agent lacks waits with the port named', () => {
    const app = appCreated('/fixed', { requirePorts: true, portDefinitions: [{ port: 8080 }] });
    given([a1.registered(), app])
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'OfferDeclined')[0].reasons['/fixed']).toEqual([
          { reason: 'InsufficientPorts', requested: 1, available: 10, unavailablePorts: [8080] },
        ]);
      });
  });

  it('an app with a container and no cmd or args waits as UnsupportedContainer (nothing here runs images)', () => {
    // Valid for Marathon (the image's entrypoint runs). Launched, it would carry an empty command,
    // which the TaskLaunched schema refuses: the append of every tick's batch would fail.
    const app = appCreated('/image', { cmd: undefined, container: { type: 'MESOS', docker: { image: 'busybox' } } });
    given([a1.registered(), app])
      .when(tick(T1))
      .thenState((_state, events) => {
        expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferDeclined: 1 });
        expect(eventsOf(events, 'OfferDeclined')[0].reasons['/image']).toEqual([
          { reason: 'UnsupportedContainer', requested: 'DOCKER', available: ['MESOS'] },
        ]);
        for (const draft of events) expect(() => encodeEvent(recorded(draft, T1))).not.toThrow();
      });
  });
  it('an app with a container and no cmd or args never yields an invalid TaskLaunched, even on an agent that runs DOCKER', () => {
    // taskDemand asks such an app for DOCKER; on an agent that advertises DOCKER it fits, and
    // taskLaunched writes command { shell: true, value: '' }, which the TaskLaunched schema refuses
    // (value min 1): the append of the tick's whole batch fails, on every tick.
    const dockerAgent = anAgent('d1').withCapabilities(['MESOS', 'DOCKER']);
    const app = appCreated('/image', { cmd: undefined, container: { type: 'DOCKER', docker: { image: 'busybox' } } });
    given([dockerAgent.registered(), app])
      .when(tick(T1))
      .thenState((_state, events) => {
        for (const draft of events) expect(() => encodeEvent(recorded(draft, T1))).not.toThrow();
      });
  });
});

describe('Tick: agents after a failover', () => {
  // A new leader knows from the log which agents were ACTIVE; those whose command stream does not
  // open to it within the timeout (counted from its election) are unreachable.
  const leaderSinceMs = T0 + 5 * SECOND_MS;
  const beforeFailover = [
    a1.registered(),
    a2.registered(),
    appCreated('/web'),
    ...aTask('/web', 'web.1').onAgent('a1').running(),
  ];

  it('an ACTIVE agent that has not come back within the timeout of the election is unreachable, with its tasks', () => {
    given(beforeFailover)
      .when(tick(leaderSinceMs + AGENT_UNREACHABLE_MS, { connectedAgentIds: ['a2'], leaderSinceMs }))
      .thenState((state, events) => {
        expect(events.map((e) => e.type)).toEqual(['AgentUnreachable', 'TaskStatusUpdated']);
        expect(eventsOf(events, 'AgentUnreachable')).toEqual([{ agentId: 'a1' }]);
        expect(eventsOf(events, 'TaskStatusUpdated')[0]).toMatchObject({ taskId: 'web.1', state: 'TASK_UNREACHABLE' });
        expect(state.agents.get('a2')?.status).toBe('ACTIVE');
      });
  });

  it('within the timeout of the election, an agent that has not come back yet is left alone', () => {
    given(beforeFailover)
      .when(tick(leaderSinceMs + AGENT_UNREACHABLE_MS - 1, { connectedAgentIds: ['a2'], leaderSinceMs }))
      .thenNothingHappened();
  });

  it('an agent whose stream is open is never timed out, however old the election', () => {
    given(beforeFailover)
      .when(tick(leaderSinceMs + 100 * AGENT_UNREACHABLE_MS, { connectedAgentIds: ['a1', 'a2'], leaderSinceMs }))
      .thenNothingHappened();
  });

  it('an agent that re-registered after the election is timed out from its re-registration', () => {
    const back = T0 + 30 * SECOND_MS;
    given([...beforeFailover, recorded(a1.reregistered([{ taskId: 'web.1', state: 'TASK_RUNNING' }]), back)])
      .when(tick(back + AGENT_UNREACHABLE_MS - 1, { connectedAgentIds: ['a2'], leaderSinceMs }))
      .thenNothingHappened();
  });
});

describe('Tick: what a launch is caused by', () => {
  /** The cause each TaskLaunched of the decision names, as `event id` (or `draft type`). */
  const launchCauses = (events: readonly EventDraft[]): string[] =>
    events
      .filter((e) => e.type === 'TaskLaunched')
      .map((e) =>
        e.cause && 'eventId' in e.cause
          ? e.cause.eventId
          : `draft ${e.cause && 'draft' in e.cause ? e.cause.draft.type : 'none'}`,
      );

  it("names the DeploymentStarted of the deployment working on the app, else the app's last demand change", () => {
    const state = stateAfter([
      a1.registered(),
      appCreated('/plain', { instances: 1 }),
      appCreated('/scaled', { instances: 0 }),
    ]);
    // A scale of /scaled starts a deployment; /plain wants its task by the level rule.
    const scaling = decide(scaleApp('/scaled', 1, T0 + 1), state);
    const started = scaling.find((e) => e.type === 'DeploymentStarted')!;
    for (const [i, event] of scaling.entries()) {
      evolve(state, recorded(event, T0 + 1, event === started ? 'deployment-started' : `scale-event-${i}`));
    }
    const launches = decide(tick(T1), state).filter((e) => e.type === 'TaskLaunched');
    const byApp = new Map(launches.map((e) => [(e.data as { appId: string }).appId, launchCauses([e])[0]]));
    expect(byApp.get('/scaled')).toBe('deployment-started');
    expect(byApp.get('/plain')).toBe(state.demandCauses.get('/plain')?.eventId ?? 'draft OffersMade');
  });
});
