import fc from 'fast-check';
import {
  containsResources,
  Resources,
  resourcesEqual,
  addResources,
  rangesInclude,
  sumResources,
  countPorts,
} from '../resources';
import { anyResources, milliScalar, portRanges } from '../resources/testing/resource-arbitraries';
import { fitTask } from './fit-task';
import { placeTasks, QueuedLaunch } from './place-tasks';
import { summariseReasons } from './summarise-reasons';
import { ContainerType, TaskDemand } from './task-demand';

const demandArb: fc.Arbitrary<TaskDemand> = fc.record(
  {
    cpus: milliScalar(4),
    mem: milliScalar(4096),
    disk: milliScalar(500),
    portCount: fc.integer({ min: 0, max: 4 }),
    containerType: fc.constantFrom<ContainerType>('MESOS', 'DOCKER'),
  },
  { requiredKeys: ['cpus', 'mem', 'disk', 'portCount'] },
);

/** Some demands with requirePorts: fixed ports in the generated ranges' window, and `0` for "any". */
const queuedDemandArb: fc.Arbitrary<TaskDemand> = fc.tuple(demandArb, fc.boolean()).chain(([demand, requirePorts]) =>
  requirePorts
    ? fc
        .array(fc.oneof(fc.constant(0), fc.integer({ min: 31_000, max: 31_060 })), {
          minLength: demand.portCount,
          maxLength: demand.portCount,
        })
        .map((requiredPorts) => ({ ...demand, requiredPorts }))
    : fc.constant(demand),
);

const offerArb = fc.record({
  resources: anyResources({ cpus: 8, mem: 8192, disk: 1000 }),
  capabilities: fc.option(fc.subarray(['MESOS', 'DOCKER']), { nil: undefined }),
});

const queueArb: fc.Arbitrary<QueuedLaunch[]> = fc
  .uniqueArray(fc.constantFrom('/web', '/api', '/db', '/jobs/batch'), { maxLength: 4 })
  .chain((appIds) =>
    fc.tuple(
      ...appIds.map((appId) =>
        fc.record({ appId: fc.constant(appId), demand: queuedDemandArb, count: fc.integer({ min: 0, max: 6 }) }),
      ),
    ),
  );

const maxInstancesArb = fc.integer({ min: 0, max: 30 });

describe('placement properties', () => {
  it('never launches more than the offer holds', () => {
    fc.assert(
      fc.property(queueArb, offerArb, maxInstancesArb, (queue, offer, maxInstances) => {
        const placement = placeTasks(queue, offer, { maxInstances });
        const used: Resources = sumResources(placement.launches.map((launch) => launch.resources));
        expect(containsResources(offer.resources, used)).toBe(true);
        expect(resourcesEqual(addResources(used, placement.remaining), offer.resources)).toBe(true);
        expect(placement.launches.length).toBeLessThanOrEqual(maxInstances);
      }),
    );
  });

  it("ports assigned are distinct and inside the offer's ranges", () => {
    fc.assert(
      fc.property(queueArb, offerArb, maxInstancesArb, (queue, offer, maxInstances) => {
        const placement = placeTasks(queue, offer, { maxInstances });
        const ports = placement.launches.flatMap((launch) => launch.ports);
        expect(new Set(ports).size).toBe(ports.length);
        for (const port of ports) expect(rangesInclude(offer.resources.ports, port)).toBe(true);
        for (const launch of placement.launches) {
          const app = queue.find((entry) => entry.appId === launch.appId)!;
          expect(launch.ports).toHaveLength(app.demand.portCount);
        }
      }),
    );
  });

  it('never launches more tasks of an app than it asked for, and explains every shortfall it judged', () => {
    fc.assert(
      fc.property(queueArb, offerArb, (queue, offer) => {
        const placement = placeTasks(queue, offer, { maxInstances: 1_000 });
        for (const { appId, count } of queue) {
          const launched = placement.launches.filter((launch) => launch.appId === appId).length;
          expect(launched).toBeLessThanOrEqual(count);
          expect(placement.reasonsByApp.has(appId)).toBe(launched < count);
          if (launched < count) expect(placement.reasonsByApp.get(appId)!.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('requirePorts gets exactly the requested ports or does not fit', () => {
    const required = fc.uniqueArray(fc.integer({ min: 30_995, max: 31_065 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(required, fc.boolean(), portRanges(), (ports, duplicate, ranges) => {
        const requiredPorts = duplicate ? [...ports, ports[0]] : ports;
        const demand: TaskDemand = { cpus: 0, mem: 0, disk: 0, portCount: requiredPorts.length, requiredPorts };
        const fit = fitTask(demand, { resources: { cpus: 0, mem: 0, disk: 0, ports: ranges } });
        const available = !duplicate && ports.every((port) => rangesInclude(ranges, port));
        expect(fit.fits).toBe(available);
        if (fit.fits) expect(fit.ports).toEqual(requiredPorts);
        else expect(fit.reasons.map((reason) => reason.reason)).toEqual(['InsufficientPorts']);
      }),
    );
  });

  it('mixes fixed and dynamic ports without giving one port twice', () => {
    // Fixed ports drawn from the offer itself, so they often are the lowest free ones.
    const case_ = portRanges({ maxRanges: 3 })
      .filter((ranges) => ranges.length > 0)
      .chain((ranges) => {
        const offered = ranges.flatMap(([begin, end]) => Array.from({ length: end - begin + 1 }, (_, i) => begin + i));
        return fc.tuple(
          fc.constant(ranges),
          fc.array(fc.oneof(fc.constant(0), fc.constantFrom(...offered)), { minLength: 1, maxLength: 6 }),
        );
      });
    fc.assert(
      fc.property(case_, ([ranges, required]) => {
        const fixed = required.filter((port) => port !== 0);
        const demand: TaskDemand = { cpus: 0, mem: 0, disk: 0, portCount: required.length, requiredPorts: required };
        const fit = fitTask(demand, { resources: { cpus: 0, mem: 0, disk: 0, ports: ranges } });
        expect(fit.fits).toBe(new Set(fixed).size === fixed.length && required.length <= countPorts(ranges));
        if (!fit.fits) return;
        expect(new Set(fit.ports).size).toBe(required.length);
        fit.ports.forEach((port, i) => {
          expect(rangesInclude(ranges, port)).toBe(true);
          if (required[i] !== 0) expect(port).toBe(required[i]);
        });
      }),
    );
  });

  it('fits exactly when the container is supported and every scalar and the port count fit', () => {
    fc.assert(
      fc.property(demandArb, offerArb, (demand, offer) => {
        const fit = fitTask(demand, offer);
        const r = offer.resources;
        const capabilities = offer.capabilities ?? ['MESOS'];
        const oracle =
          capabilities.includes(demand.containerType ?? 'MESOS') &&
          demand.cpus <= r.cpus &&
          demand.mem <= r.mem &&
          demand.disk <= r.disk &&
          demand.portCount <= countPorts(r.ports);
        expect(fit.fits).toBe(oracle);
        if (fit.fits) {
          expect(resourcesEqual(fit.resources, { ...demand, ports: fit.resources.ports })).toBe(true);
          expect(countPorts(fit.resources.ports)).toBe(demand.portCount);
        }
      }),
    );
  });

  it('the funnel counts every unused offer exactly once', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(demandArb, offerArb), { maxLength: 20 }), (pairs) => {
        const offers = pairs.map(([demand, offer]) => {
          const fit = fitTask(demand, offer);
          return fit.fits ? [] : fit.reasons;
        });
        const summary = summariseReasons(offers);
        const declined = summary.rejectSummary.reduce((n, step) => n + step.declined, 0);
        expect(declined).toBe(summary.unusedOffersCount);
        expect(summary.processedOffersCount - declined).toBe(offers.filter((reasons) => reasons.length === 0).length);
      }),
    );
  });
});
