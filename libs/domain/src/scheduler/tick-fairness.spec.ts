import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, appCreated } from '../testing/cluster-builders';
import { eventsOf, T0 } from '../testing/decider-spec';
import { MAX_INSTANCES_PER_OFFER } from '../placement';
import { OFFERS_BEYOND_DEMAND, OFFERS_PER_TICK_MAX } from './tick.decider';

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
  it('are bounded by the demand: one waiting task on 300 agents gets 1 + OFFERS_BEYOND_DEMAND offers', () => {
    const cluster = new ClusterScenario();
    cluster.given(Array.from({ length: 300 }, (_, i) => anAgent(`agent-${String(i).padStart(3, '0')}`).registered()));
    cluster.given([appCreated('/one', { instances: 1, cpus: 0.1, mem: 1, portDefinitions: [] })]);
    const decided = cluster.tick(T0 + 1_000);
    expect(eventsOf(decided, 'OffersMade')[0].offers).toHaveLength(1 + OFFERS_BEYOND_DEMAND);
    expect(eventsOf(decided, 'TaskLaunched')).toHaveLength(1);
  });
});
