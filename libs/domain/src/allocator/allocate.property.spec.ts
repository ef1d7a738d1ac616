import fc from 'fast-check';
import {
  addResources,
  containsResources,
  countPorts,
  EMPTY_RESOURCES,
  normalizeResources,
  Resources,
  resourcesEqual,
} from '../resources';
import { anyResources, milliScalar, portRanges } from '../resources/testing/resource-arbitraries';
import { AgentSlot, allocate, AllocationInput, FrameworkDemand } from './allocate';
import { dominantShare } from './drf-sorter';
import { OfferFilter } from './offer-filters';

const T0 = Date.UTC(2026, 0, 1);
const AGENT_IDS = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
const FRAMEWORK_IDS = ['f1', 'f2', 'f3'];

/** Agents with unique ids; some inactive, some with crumbs or nothing free. */
const agentsArb: fc.Arbitrary<AgentSlot[]> = fc
  .subarray(AGENT_IDS)
  .chain((ids) =>
    fc.tuple(
      ...ids.map((agentId) => fc.record({ agentId: fc.constant(agentId), free: anyResources(), active: fc.boolean() })),
    ),
  );

const frameworksArb: fc.Arbitrary<FrameworkDemand[]> = fc.subarray(FRAMEWORK_IDS).chain((ids) =>
  fc.tuple(
    ...ids.map((frameworkId) =>
      fc.record({
        frameworkId: fc.constant(frameworkId),
        role: fc.constantFrom('*', 'apps'),
        weight: fc.constantFrom(0.5, 1, 2, 3),
        allocated: anyResources(),
        suppressed: fc.boolean(),
      }),
    ),
  ),
);

const filtersArb: fc.Arbitrary<OfferFilter[]> = fc.array(
  fc.record({
    frameworkId: fc.constantFrom(...FRAMEWORK_IDS),
    agentId: fc.constantFrom(...AGENT_IDS),
    until: fc.integer({ min: T0 - 10_000, max: T0 + 10_000 }),
  }),
  { maxLength: 8 },
);

/** The listed form of the input (the lazy one is held to it below). */
type ListedInput = AllocationInput & { readonly agents: AgentSlot[]; readonly filters: OfferFilter[] };

const inputArb: fc.Arbitrary<ListedInput> = fc.record({
  agents: agentsArb,
  frameworks: frameworksArb,
  filters: filtersArb,
  now: fc.integer({ min: T0 - 10_000, max: T0 + 10_000 }),
});

describe('allocate properties', () => {
  it('never offers more of an agent than it has free', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const offer of allocate(input)) {
          const agent = input.agents.find((a) => a.agentId === offer.agentId)!;
          expect(containsResources(agent.free, offer.resources)).toBe(true);
        }
      }),
    );
  });

  it('never offers to a suppressed framework, nor to one it does not know', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const offer of allocate(input)) {
          const framework = input.frameworks.find((f) => f.frameworkId === offer.frameworkId);
          expect(framework?.suppressed).toBe(false);
          expect(offer.role).toBe(framework?.role);
        }
      }),
    );
  });

  it('never offers an agent to a framework that filtered it before `until`', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const offer of allocate(input)) {
          const blocking = input.filters.filter(
            (f) => f.frameworkId === offer.frameworkId && f.agentId === offer.agentId && input.now < f.until,
          );
          expect(blocking).toEqual([]);
        }
      }),
    );
  });

  it('an agent is offered at most once per pass, and never when inactive', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const offered = allocate(input).map((offer) => offer.agentId);
        expect(new Set(offered).size).toBe(offered.length);
        for (const agentId of offered) expect(input.agents.find((a) => a.agentId === agentId)?.active).toBe(true);
      }),
    );
  });

  it('no offers when nobody wants them', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const nobody = { ...input, frameworks: input.frameworks.map((f) => ({ ...f, suppressed: true })) };
        expect(allocate(nobody)).toEqual([]);
      }),
    );
  });

  it('leaves no active agent with allocatable resources unoffered while a framework may take it', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const offered = new Set(allocate(input).map((offer) => offer.agentId));
        for (const agent of input.agents) {
          const allocatable = agent.free.cpus >= 0.01 || agent.free.mem >= 32;
          const taker = input.frameworks.some(
            (f) =>
              !f.suppressed &&
              !input.filters.some(
                (x) => x.frameworkId === f.frameworkId && x.agentId === agent.agentId && input.now < x.until,
              ),
          );
          expect(offered.has(agent.agentId)).toBe(agent.active && allocatable && taker);
        }
      }),
    );
  });

  it('offers each agent whole: exactly its free resources', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const offer of allocate(input)) {
          const agent = input.agents.find((a) => a.agentId === offer.agentId)!;
          expect(resourcesEqual(offer.resources, agent.free)).toBe(true);
        }
      }),
    );
  });

  it('agents in id order (read lazily) and filters as a lookup make the same offers, reading no agent past the last one offered', () => {
    fc.assert(
      fc.property(inputArb, fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), (input, maxOffers) => {
        const clusterTotal = [...input.agents.map((a) => a.free), ...input.frameworks.map((f) => f.allocated)]
          .map((r) => ({ ...r, ports: [] }))
          .reduce<Resources>(addResources, EMPTY_RESOURCES);
        const listed = allocate({ ...input, clusterTotal, maxOffers });
        const sorted = [...input.agents].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
        let read = 0;
        function* inIdOrder() {
          for (const agent of sorted) {
            read++;
            yield agent;
          }
        }
        const lazy = allocate({
          ...input,
          agents: { inIdOrder: inIdOrder() },
          filters: (frameworkId, agentId, now) =>
            input.filters.some((f) => f.frameworkId === frameworkId && f.agentId === agentId && now < f.until),
          clusterTotal,
          maxOffers,
        });
        expect(lazy).toEqual(listed);
        if (maxOffers !== undefined && lazy.length === maxOffers && lazy.length > 0) {
          const last = sorted.findIndex((a) => a.agentId === lazy[lazy.length - 1].agentId);
          expect(read).toBe(last + 1);
        }
      }),
    );
  });

  it('offers a framework only agents whose free resources hold its minOffer, and skips no other', () => {
    const minArb = fc.record({
      cpus: fc.constantFrom(0, 0.5, 2),
      mem: fc.constantFrom(0, 64, 1024),
      disk: fc.constantFrom(0, 10),
      portCount: fc.constantFrom(0, 1, 3),
    });
    fc.assert(
      fc.property(inputArb, minArb, (input, minOffer) => {
        const one = input.frameworks.slice(0, 1).map((f) => ({ ...f, suppressed: false }));
        const withMin = allocate({ ...input, frameworks: one.map((f) => ({ ...f, minOffer })) });
        const holds = (free: Resources) =>
          containsResources(free, { cpus: minOffer.cpus, mem: minOffer.mem, disk: minOffer.disk, ports: [] }) &&
          countPorts(normalizeResources(free).ports) >= minOffer.portCount;
        for (const offer of withMin) expect(holds(offer.resources)).toBe(true);
        const without = allocate({ ...input, frameworks: one }).filter((o) => holds(o.resources));
        expect(withMin.map((o) => o.agentId)).toEqual(without.map((o) => o.agentId));
      }),
    );
  });

  it('refuses agents in id order without the cluster total', () => {
    expect(() => allocate({ agents: { inIdOrder: [] }, frameworks: [], filters: [], now: T0 })).toThrow(/clusterTotal/);
  });

  it("with two frameworks with equal demand and weights, dominant shares stay within one agent's share of each other over repeated passes", () => {
    // Agents of random sizes become active at random passes; each framework accepts every offer
    // whole (tasks run and hold the resources), so shares only grow and the total stays fixed.
    // DRF bound: the framework ahead got its last agent while it was not ahead, so
    //   |share(f1) - share(f2)| <= max over agents of dominantShare(agent) / weight.
    const sizedAgent = fc.record({
      cpus: milliScalar(8).map((c) => c + 0.01),
      mem: milliScalar(8192),
      disk: milliScalar(1000),
      ports: portRanges(),
    });
    fc.assert(
      fc.property(
        fc.array(sizedAgent, { minLength: 1, maxLength: 12 }),
        fc.array(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0.5, 1, 3),
        (sizes, activePerPass, weight) => {
          let agents: AgentSlot[] = sizes.map((free, i) => ({
            agentId: `a${String(i).padStart(2, '0')}`,
            free,
            active: false,
          }));
          let frameworks: FrameworkDemand[] = ['f1', 'f2'].map((frameworkId) => ({
            frameworkId,
            role: '*',
            weight,
            allocated: EMPTY_RESOURCES,
            suppressed: false,
          }));
          const total = sizes.reduce<Resources>(addResources, EMPTY_RESOURCES);
          const oneAgent = Math.max(...sizes.map((size) => dominantShare(size, total))) / weight;
          for (const active of activePerPass) {
            agents = agents.map((agent, i) => ({ ...agent, active: active[i] }));
            const offers = allocate({ agents, frameworks, filters: [], now: T0 });
            // Accept every offer: the agent's free resources now belong to the framework.
            frameworks = frameworks.map((f) => ({
              ...f,
              allocated: offers
                .filter((o) => o.frameworkId === f.frameworkId)
                .map((o) => o.resources)
                .reduce(addResources, f.allocated),
            }));
            const taken = new Set(offers.map((o) => o.agentId));
            agents = agents.map((agent) => (taken.has(agent.agentId) ? { ...agent, free: EMPTY_RESOURCES } : agent));
            const [s1, s2] = frameworks.map((f) => dominantShare(f.allocated, total) / weight);
            expect(Math.abs(s1 - s2)).toBeLessThanOrEqual(oneAgent + 1e-9);
          }
        },
      ),
    );
  });
});
