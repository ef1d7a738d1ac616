import { parseResources as r } from '../resources';
import { MAX_INSTANCES_PER_OFFER, placeTasks, QueuedLaunch } from './place-tasks';
import { PlacementInputError } from './placement-errors';
import { TaskDemand } from './task-demand';

const demand = (parts: Partial<TaskDemand>): TaskDemand => ({ cpus: 0, mem: 0, disk: 0, portCount: 0, ...parts });
const queued = (appId: string, count: number, parts: Partial<TaskDemand>): QueuedLaunch => ({
  appId,
  count,
  demand: demand(parts),
});
const summary = (launches: { appId: string }[]) => launches.map((launch) => launch.appId);

describe('placeTasks', () => {
  it('packs as many tasks as fit, each with its own ports, and returns the rest', () => {
    const placement = placeTasks([queued('/web', 3, { cpus: 1, mem: 256, portCount: 1 })], {
      resources: r('cpus:2.5;mem:1024;ports:[31000-31009]'),
    });
    expect(placement.launches).toEqual([
      { appId: '/web', ports: [31000], resources: r('cpus:1;mem:256;ports:[31000-31000]') },
      { appId: '/web', ports: [31001], resources: r('cpus:1;mem:256;ports:[31001-31001]') },
    ]);
    expect(placement.remaining).toEqual(r('cpus:0.5;mem:512;ports:[31002-31009]'));
    // The third task needed 1 cpu; 0.5 was left.
    expect(placement.reasonsByApp).toEqual(
      new Map([['/web', [{ reason: 'InsufficientCpus', requested: 1, available: 0.5 }]]]),
    );
  });

  it('fills the offer in queue order and lets a later, smaller app use what is left', () => {
    const placement = placeTasks(
      [queued('/big', 2, { cpus: 3, mem: 1024 }), queued('/small', 2, { cpus: 0.5, mem: 128 })],
      { resources: r('cpus:4;mem:2048') },
    );
    // /big: 1 task (3 cpus), the second needs 3 more of 1 left. /small: 2 tasks of 0.5 in the last cpu.
    expect(summary(placement.launches)).toEqual(['/big', '/small', '/small']);
    expect(placement.remaining).toEqual(r('mem:768'));
    expect([...placement.reasonsByApp.keys()]).toEqual(['/big']);
  });

  it('gives no reasons for an app that got every task it wanted', () => {
    const placement = placeTasks([queued('/web', 2, { cpus: 1 })], { resources: r('cpus:2') });
    expect(placement.launches).toHaveLength(2);
    expect(placement.reasonsByApp.size).toBe(0);
  });

  it('starts at most max_instances_per_offer tasks and does not judge apps it did not reach', () => {
    const placement = placeTasks([queued('/tiny', 100, { cpus: 0.01 }), queued('/other', 1, { cpus: 0.01 })], {
      resources: r('cpus:8'),
    });
    expect(placement.launches).toHaveLength(MAX_INSTANCES_PER_OFFER);
    expect(placement.reasonsByApp.size).toBe(0);
    expect(
      placeTasks([queued('/tiny', 100, { cpus: 0.01 })], { resources: r('cpus:8') }, { maxInstances: 12 }).launches,
    ).toHaveLength(12);
  });

  it('passes the agent capabilities on to each fit', () => {
    const placement = placeTasks([queued('/docker', 1, { cpus: 1, containerType: 'DOCKER' })], {
      resources: r('cpus:1'),
      capabilities: ['MESOS'],
    });
    expect(placement.launches).toEqual([]);
    expect(placement.reasonsByApp.get('/docker')?.map((reason) => reason.reason)).toEqual(['UnsupportedContainer']);
  });

  it('skips an app that wants no more tasks', () => {
    expect(placeTasks([queued('/done', 0, { cpus: 100 })], { resources: r('cpus:1') }).reasonsByApp.size).toBe(0);
  });

  it('refuses an app queued twice, a bad count and a bad bound', () => {
    const offer = { resources: r('cpus:1') };
    expect(() => placeTasks([queued('/a', 1, {}), queued('/a', 1, {})], offer)).toThrow(PlacementInputError);
    expect(() => placeTasks([queued('/a', -1, {})], offer)).toThrow(PlacementInputError);
    expect(() => placeTasks([], offer, { maxInstances: Infinity })).toThrow(PlacementInputError);
  });
});

describe('placeTasks with constraints', () => {
  const agentA = { resources: r('cpus:8;mem:4096'), hostname: 'a', attributes: { rack: 'r1' } };
  const web = (parts: Partial<QueuedLaunch>): QueuedLaunch => ({ ...queued('/web', 3, { cpus: 1 }), ...parts });

  it('with UNIQUE hostname places one task per offer, counting the tasks it placed there', () => {
    const placement = placeTasks([web({ constraints: [['hostname', 'UNIQUE']] })], agentA);
    expect(summary(placement.launches)).toEqual(['/web']);
    expect(placement.reasonsByApp.get('/web')).toEqual([
      { reason: 'UnfulfilledConstraint', constraint: ['hostname', 'UNIQUE'], value: 'a', placedWithValue: 1 },
    ]);
  });

  it("counts the app's running instances as placed", () => {
    const placement = placeTasks(
      [web({ constraints: [['rack', 'MAX_PER', '2']], placed: [{ hostname: 'b', attributes: { rack: 'r1' } }] })],
      agentA,
    );
    // One r1 instance runs elsewhere: this r1 agent takes one more, then r1 holds 2.
    expect(placement.launches).toHaveLength(1);
    expect(placement.reasonsByApp.get('/web')).toEqual([
      { reason: 'UnfulfilledConstraint', constraint: ['rack', 'MAX_PER', '2'], value: 'r1', placedWithValue: 2 },
    ]);
  });

  it('judges constraints before resources and keeps every reason, the constraint first', () => {
    const placement = placeTasks(
      [web({ constraints: [['rack', 'LIKE', 'r[2-9]']], demand: demand({ cpus: 16 }) })],
      agentA,
    );
    expect(placement.launches).toEqual([]);
    expect(placement.reasonsByApp.get('/web')?.map((reason) => reason.reason)).toEqual([
      'UnfulfilledConstraint',
      'InsufficientCpus',
    ]);
  });

  it('leaves the value out when the agent lacks the field, and meets only UNLIKE then', () => {
    const bare = { resources: r('cpus:8') };
    const unmet = placeTasks([web({ constraints: [['hostname', 'UNIQUE']] })], bare);
    expect(unmet.reasonsByApp.get('/web')).toEqual([
      { reason: 'UnfulfilledConstraint', constraint: ['hostname', 'UNIQUE'], placedWithValue: 0 },
    ]);
    expect(placeTasks([web({ constraints: [['rack', 'UNLIKE', 'r1']] })], bare).launches).toHaveLength(3);
  });

  it('lets the next app use an offer whose agent the first app refuses', () => {
    const placement = placeTasks(
      [web({ constraints: [['rack', 'CLUSTER', 'r2']] }), queued('/api', 1, { cpus: 1 })],
      agentA,
    );
    expect(summary(placement.launches)).toEqual(['/api']);
    expect([...placement.reasonsByApp.keys()]).toEqual(['/web']);
  });

  it('spreads GROUP_BY with N by the instances wanted (placed + count when not given)', () => {
    // 4 instances over 2 racks: 2 per rack, so this r1 agent takes 2.
    const groupBy = web({ count: 4, constraints: [['rack', 'GROUP_BY', '2']] });
    expect(placeTasks([groupBy], agentA).launches).toHaveLength(2);
    // 3 wanted, 1 placed on r2: target 1 per rack plus 1 shared, so r1 takes 2.
    const placed = [{ hostname: 'b', attributes: { rack: 'r2' } }];
    expect(placeTasks([{ ...groupBy, count: 2, instances: 3, placed }], agentA).launches).toHaveLength(2);
  });

  it('places as before for an app without constraints, whatever the offer says of its agent', () => {
    expect(placeTasks([web({})], agentA).launches).toHaveLength(3);
    expect(placeTasks([web({ constraints: [] })], agentA).launches).toHaveLength(3);
  });

  it('refuses a bad instance count', () => {
    expect(() => placeTasks([web({ instances: -1 })], agentA)).toThrow(PlacementInputError);
    expect(() => placeTasks([web({ instances: 1.5 })], agentA)).toThrow(PlacementInputError);
  });
});
