import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, appCreated } from '../testing/cluster-builders';
import { eventsOf, T0 } from '../testing/decider-spec';
import { MAX_INSTANCES_PER_OFFER } from '../placement';
import { AGGREGATED_DECLINES_LEVEL, OFFERS_BEYOND_DEMAND, OFFERS_PER_TICK_MAX } from './tick.decider';
import { draft } from '../command';

/**
 * Fairness in a burst (issue 12): 10,000 tasks wanted at once across 500 apps, on 100 agents with
 * room for all of them. A pass makes one offer per agent and launches at most
 * MAX_INSTANCES_PER_OFFER per offer, so 500 tasks a tick: in app id order the last app would get
 * its first task at the 20th tick. Served fewest-active-first, every app has one within
 * ceil(500 × 5 / 500) = 5 ticks, and the burst is placed in the 20 ticks the room allows.
 */
const APPS = 500;
const INSTANCES = 20;
const AGENTS = 100;

describe('placement fairness in a 10,000-task burst', () => {
  it('gives every app its first task within the stated number of ticks', () => {
    const cluster = new ClusterScenario();
    cluster.given(
      Array.from({ length: AGENTS }, (_, i) =>
        anAgent(`agent-${String(i).padStart(3, '0')}`)
          .withResources('cpus:100;mem:100000;disk:1000')
          .registered(),
      ),
    );
    const appIds = Array.from({ length: APPS }, (_, i) => `/burst/app-${String(i).padStart(3, '0')}`);
    cluster.given(appIds.map((id) => appCreated(id, { instances: INSTANCES, cpus: 1, mem: 1, portDefinitions: [] })));

    const firstTaskAt = new Map<string, number>();
    let ticks = 0;
    while (cluster.state.tasks.size < APPS * INSTANCES && ticks < 40) {
      ticks++;
      const launched = eventsOf(cluster.tick(T0 + ticks * 1_000), 'TaskLaunched');
      expect(launched.length).toBeLessThanOrEqual(Math.min(AGENTS, OFFERS_PER_TICK_MAX) * MAX_INSTANCES_PER_OFFER);
      for (const { appId } of launched) if (!firstTaskAt.has(appId)) firstTaskAt.set(appId, ticks);
    }

    const perTick = AGENTS * MAX_INSTANCES_PER_OFFER;
    const firstTaskBound = Math.ceil((APPS * MAX_INSTANCES_PER_OFFER) / perTick);
    expect(firstTaskAt.size).toBe(APPS);
    expect(Math.max(...firstTaskAt.values())).toBeLessThanOrEqual(firstTaskBound);
    expect(ticks).toBe(Math.ceil((APPS * INSTANCES) / perTick));
    for (const id of appIds) expect(cluster.activeCount(id)).toBe(INSTANCES);
  });
});

describe('offers a pass makes', () => {
  const on300Agents = () => {
    const cluster = new ClusterScenario();
    // One OffersDeclined per pass (format level 3), as a cluster of this release writes.
    cluster.given([draft('ClusterVersionRaised', { version: AGGREGATED_DECLINES_LEVEL, previous: 1, leader: 'm:1' })]);
    cluster.given(Array.from({ length: 300 }, (_, i) => anAgent(`agent-${String(i).padStart(3, '0')}`).registered()));
    return cluster;
  };

  it('stop once every waiting task is placed: one task that fits the first agent costs one offer, no decline', () => {
    const cluster = on300Agents();
    cluster.given([appCreated('/one', { instances: 1, cpus: 0.1, mem: 1, portDefinitions: [] })]);
    const decided = cluster.tick(T0 + 1_000);
    expect(eventsOf(decided, 'OffersMade')[0].offers.map((o) => o.agentId)).toEqual(['agent-000']);
    expect(eventsOf(decided, 'TaskLaunched')).toHaveLength(1);
    expect(eventsOf(decided, 'OffersDeclined')).toEqual([]);
  });

  it('search as far as the task fits: the agents before it are declined, none after it is offered', () => {
    const cluster = on300Agents();
    const app = {
      instances: 1,
      cpus: 0.1,
      mem: 1,
      portDefinitions: [],
      constraints: [['hostname', 'CLUSTER', 'agent-050.example']],
    };
    cluster.given([appCreated('/picky', app)]);
    const decided = cluster.tick(T0 + 1_000);
    const offers = eventsOf(decided, 'OffersMade')[0].offers;
    expect(offers).toHaveLength(51);
    expect(eventsOf(decided, 'TaskLaunched').map((t) => t.host)).toEqual(['agent-050.example']);
    expect(eventsOf(decided, 'TaskLaunched')[0].placement?.agentsOffered).toBe(51);
    expect(eventsOf(decided, 'OffersDeclined')[0].offers).toHaveLength(50);
  });

  it('skip the agents that cannot hold the smallest waiting task while others can', () => {
    const cluster = new ClusterScenario();
    cluster.given([draft('ClusterVersionRaised', { version: AGGREGATED_DECLINES_LEVEL, previous: 1, leader: 'm:1' })]);
    cluster.given([
      anAgent('a0').withResources('cpus:0.05;mem:4096;disk:100;ports:[31000-31009]').registered(),
      anAgent('a1').withResources('cpus:4;mem:16;disk:100;ports:[31000-31009]').registered(),
      anAgent('a2').withResources('cpus:4;mem:4096;disk:100;ports:[31000-31009]').registered(),
    ]);
    cluster.given([
      appCreated('/small', { instances: 1, cpus: 0.1, mem: 32, portDefinitions: [] }),
      appCreated('/large', { instances: 1, cpus: 1, mem: 64, portDefinitions: [{ port: 0 }] }),
    ]);
    const decided = cluster.tick(T0 + 1_000);
    expect(eventsOf(decided, 'OffersMade')[0].offers.map((o) => o.agentId)).toEqual(['a2']);
    expect(
      eventsOf(decided, 'TaskLaunched')
        .map((t) => t.appId)
        .sort(),
    ).toEqual(['/large', '/small']);
    expect(eventsOf(decided, 'OffersDeclined')).toEqual([]);
  });

  it('make one offer when no agent can hold the smallest waiting task: its decline says why', () => {
    const cluster = on300Agents();
    cluster.given([appCreated('/huge', { instances: 1, cpus: 1_000, mem: 1, portDefinitions: [] })]);
    const decided = cluster.tick(T0 + 1_000);
    expect(eventsOf(decided, 'OffersMade')[0].offers.map((o) => o.agentId)).toEqual(['agent-000']);
    expect(eventsOf(decided, 'TaskLaunched')).toEqual([]);
    const [declined] = eventsOf(decided, 'OffersDeclined');
    expect(declined.offers.map((o) => o.agentId)).toEqual(['agent-000']);
    expect(declined.reasons['/huge'].map((r) => r.reason)).toEqual(['InsufficientCpus']);
    // The next pass tries the next agent (the first is filtered).
    expect(eventsOf(cluster.tick(T0 + 2_000), 'OffersMade')[0].offers.map((o) => o.agentId)).toEqual(['agent-001']);
  });

  it('are bounded by the demand and the pass: a task its constraint keeps off the first agents', () => {
    const cluster = on300Agents();
    const app = {
      instances: 1,
      cpus: 0.1,
      mem: 1,
      portDefinitions: [],
      constraints: [['hostname', 'CLUSTER', 'agent-250.example']],
    };
    cluster.given([appCreated('/far', app)]);
    const decided = cluster.tick(T0 + 1_000);
    const bound = Math.min(OFFERS_PER_TICK_MAX, 1 + OFFERS_BEYOND_DEMAND);
    expect(eventsOf(decided, 'OffersMade')[0].offers).toHaveLength(bound);
    expect(eventsOf(decided, 'TaskLaunched')).toEqual([]);
    expect(eventsOf(decided, 'OffersDeclined')[0].offers).toHaveLength(bound);
  });
});
