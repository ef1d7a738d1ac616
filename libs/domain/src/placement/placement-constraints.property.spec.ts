import fc from 'fast-check';
import { AgentFacts, Constraint } from '../constraints';
import { parseResources } from '../resources';
import { placeTasks } from './place-tasks';
import { PlacementOffer } from './task-demand';

/** Offers big enough for every task: only constraints and maxInstances bound what is placed. */
const ROOMY = parseResources('cpus:64;mem:65536');
const DEMAND = { cpus: 0.5, mem: 64, disk: 0, portCount: 0 };

interface Host {
  readonly hostname: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Serves one app offer by offer, as the scheduler would: each offer sees the app's instances so
 * far and the count still wanted. `placed` = the agent of every instance, in order; `perOffer` =
 * what each offer launched.
 */
function serve(
  constraints: readonly Constraint[],
  instances: number,
  offers: readonly Host[],
  maxInstances: number,
  placed: Host[] = [],
): { placed: Host[]; perOffer: number[] } {
  const perOffer: number[] = [];
  for (const host of offers) {
    const offer: PlacementOffer = { resources: ROOMY, ...host };
    const count = instances - placed.length;
    const queue = [{ appId: '/app', demand: DEMAND, count, constraints, placed: placed as AgentFacts[], instances }];
    const { launches } = placeTasks(queue, offer, { maxInstances });
    for (let i = 0; i < launches.length; i++) placed.push(host);
    perOffer.push(launches.length);
  }
  return { placed, perOffer };
}

const countBy = (hosts: readonly Host[], key: (host: Host) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const host of hosts) counts.set(key(host), (counts.get(key(host)) ?? 0) + 1);
  return counts;
};

const hostsArb = (max: number) =>
  fc
    .integer({ min: 1, max })
    .map((n) => Array.from({ length: n }, (_, i): Host => ({ hostname: `h${i}`, attributes: { rack: `r${i % 3}` } })));
const maxInstancesArb = fc.integer({ min: 1, max: 5 });

describe('placement constraint properties', () => {
  it('with UNIQUE hostname never places two instances on one host, and stops at the number of hosts', () => {
    const case_ = hostsArb(6).chain((hosts) =>
      fc.tuple(
        fc.constant(hosts),
        fc.array(fc.constantFrom(...hosts), { maxLength: 30 }),
        fc.integer({ min: 0, max: 10 }),
        maxInstancesArb,
      ),
    );
    fc.assert(
      fc.property(case_, ([hosts, offers, instances, maxInstances]) => {
        const { placed, perOffer } = serve([['hostname', 'UNIQUE']], instances, offers, maxInstances);
        for (const n of perOffer) expect(n).toBeLessThanOrEqual(1);
        for (const n of countBy(placed, (h) => h.hostname).values()) expect(n).toBe(1);
        expect(placed.length).toBeLessThanOrEqual(Math.min(hosts.length, instances));
        // Every host that offered took an instance, unless the app had all it wanted.
        const offered = new Set(offers.map((h) => h.hostname)).size;
        expect(placed.length).toBe(Math.min(offered, instances));
      }),
    );
  });

  it('with MAX_PER N never places more than N instances on one value', () => {
    const case_ = hostsArb(6).chain((hosts) =>
      fc.tuple(
        fc.array(fc.constantFrom(...hosts), { maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 15 }),
        maxInstancesArb,
        fc.constantFrom('rack', 'hostname'),
      ),
    );
    fc.assert(
      fc.property(case_, ([offers, max, instances, maxInstances, field]) => {
        const { placed } = serve([[field, 'MAX_PER', `${max}`]], instances, offers, maxInstances);
        const valueOf = (h: Host) => (field === 'hostname' ? h.hostname : h.attributes.rack);
        for (const n of countBy(placed, valueOf).values()) expect(n).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('with GROUP_BY N over N hosts offering in rounds, every round ends with counts within 1 of each other', () => {
    const case_ = hostsArb(5).chain((hosts) =>
      fc.tuple(
        fc.constant(hosts),
        fc.array(fc.shuffledSubarray(hosts, { minLength: hosts.length }), { minLength: 25, maxLength: 25 }),
        fc.integer({ min: 0, max: 20 }),
        maxInstancesArb,
      ),
    );
    fc.assert(
      fc.property(case_, ([hosts, rounds, instances, maxInstances]) => {
        const constraints: Constraint[] = [['hostname', 'GROUP_BY', `${hosts.length}`]];
        const placed: Host[] = [];
        for (const round of rounds) {
          serve(constraints, instances, round, maxInstances, placed);
          const counts = countBy(placed, (h) => h.hostname);
          const perHost = hosts.map((h) => counts.get(h.hostname) ?? 0);
          expect(Math.max(...perHost) - Math.min(...perHost)).toBeLessThanOrEqual(1);
        }
        expect(placed).toHaveLength(instances);
      }),
    );
  });
});
