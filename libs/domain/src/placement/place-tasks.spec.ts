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
