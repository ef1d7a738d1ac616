import { funnelReason, NoMatchReason } from './no-match-reason';
import { summariseReasons } from './summarise-reasons';

const cpus: NoMatchReason = { reason: 'InsufficientCpus', requested: 2, available: 1 };
const mem: NoMatchReason = { reason: 'InsufficientMemory', requested: 2048, available: 1024 };
const ports: NoMatchReason = { reason: 'InsufficientPorts', requested: 2, available: 0, unavailablePorts: [] };
const docker: NoMatchReason = { reason: 'UnsupportedContainer', requested: 'DOCKER', available: ['MESOS'] };

describe('funnelReason', () => {
  it('picks the reason that comes first in the funnel, whatever the order given', () => {
    expect(funnelReason([ports, mem, cpus])).toBe(cpus);
    expect(funnelReason([cpus, docker])).toBe(docker);
    expect(funnelReason([])).toBeUndefined();
  });
});

describe('summariseReasons', () => {
  // Five offers processed for one app: one used, four not.
  const summary = summariseReasons([[], [cpus, mem], [mem], [mem, ports], [docker, cpus]]);

  it('counts processed and unused offers', () => {
    expect(summary.processedOffersCount).toBe(5);
    expect(summary.unusedOffersCount).toBe(4);
  });

  it('counts every kind an unused offer had', () => {
    expect(summary.reasonCounts).toMatchObject({
      InsufficientCpus: 2,
      InsufficientMemory: 3,
      InsufficientPorts: 1,
      UnsupportedContainer: 1,
      InsufficientDisk: 0,
    });
  });

  it('counts each unused offer once, under its funnel reason, as Marathon rejectSummaryLastOffers', () => {
    expect(summary.rejectSummary).toEqual([
      { reason: 'UnfulfilledRole', declined: 0, processed: 5 },
      { reason: 'UnfulfilledConstraint', declined: 0, processed: 5 },
      { reason: 'UnsupportedContainer', declined: 1, processed: 5 },
      { reason: 'NoCorrespondingReservationFound', declined: 0, processed: 4 },
      { reason: 'InsufficientCpus', declined: 1, processed: 4 },
      { reason: 'InsufficientMemory', declined: 2, processed: 3 },
      { reason: 'InsufficientDisk', declined: 0, processed: 1 },
      { reason: 'InsufficientGpus', declined: 0, processed: 1 },
      { reason: 'InsufficientPorts', declined: 0, processed: 1 },
    ]);
  });

  it('summarises nothing as zeros', () => {
    const empty = summariseReasons([]);
    expect(empty.processedOffersCount).toBe(0);
    expect(empty.rejectSummary.every((step) => step.declined === 0 && step.processed === 0)).toBe(true);
  });
});

describe('summariseReasons with constraints', () => {
  const unique: NoMatchReason = {
    reason: 'UnfulfilledConstraint',
    constraint: ['hostname', 'UNIQUE'],
    value: 'a',
    placedWithValue: 1,
  };
  const maxPer: NoMatchReason = {
    reason: 'UnfulfilledConstraint',
    constraint: ['rack', 'max_per', '2'],
    value: 'r1',
    placedWithValue: 2,
  };
  const summary = summariseReasons([[unique, cpus], [unique], [maxPer], [mem], []]);

  it('counts an offer refused by a constraint under UnfulfilledConstraint, before any shortage', () => {
    expect(summary.reasonCounts.UnfulfilledConstraint).toBe(3);
    expect(summary.reasonCounts.InsufficientCpus).toBe(1);
    expect(summary.rejectSummary.slice(0, 3)).toEqual([
      { reason: 'UnfulfilledRole', declined: 0, processed: 5 },
      { reason: 'UnfulfilledConstraint', declined: 3, processed: 5 },
      { reason: 'UnsupportedContainer', declined: 0, processed: 2 },
    ]);
  });

  it('counts offers per unmet constraint, named field:OPERATOR:value', () => {
    expect(summary.constraintCounts).toEqual({ 'hostname:UNIQUE': 2, 'rack:MAX_PER:2': 1 });
    expect(summariseReasons([[cpus]]).constraintCounts).toEqual({});
  });
});
