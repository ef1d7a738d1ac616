import { definitionOf, aTask, appCreated, killRequested, launchDelayed } from '../testing/cluster-builders';
import { stateAfter, T0 } from '../testing/decider-spec';
import { activeTaskCount, launchQueue, taskDemand } from './launch-queue';

const summary = (queue: ReturnType<typeof launchQueue>) =>
  queue.map((q) => ({ appId: q.app.id, count: q.count, delayedUntilMs: q.delayedUntilMs }));

describe('launchQueue', () => {
  it('lists apps short of instances, in app id order, with how many more they want', () => {
    const state = stateAfter([
      appCreated('/web', { instances: 3 }),
      appCreated('/api', { instances: 1 }),
      appCreated('/done', { instances: 1 }),
      aTask('/web', 'web.1').launched(),
      aTask('/done', 'done.1').launched(),
    ]);
    expect(summary(launchQueue(state, T0))).toEqual([
      { appId: '/api', count: 1, delayedUntilMs: null },
      { appId: '/web', count: 2, delayedUntilMs: null },
    ]);
  });

  it('a kill-requested task does not count towards instances', () => {
    const state = stateAfter([
      appCreated('/web', { instances: 1 }),
      aTask('/web', 'web.1').launched(),
      killRequested('web.1', 'agent-1', 'scaled down'),
    ]);
    expect(activeTaskCount(state, '/web')).toBe(0);
    expect(summary(launchQueue(state, T0))).toEqual([{ appId: '/web', count: 1, delayedUntilMs: null }]);
  });

  it('an app with more tasks than instances (kills in flight) is not queued', () => {
    const state = stateAfter([
      appCreated('/web', { instances: 1 }),
      aTask('/web', 'w.1').launched(),
      aTask('/web', 'w.2').launched(),
    ]);
    expect(launchQueue(state, T0)).toEqual([]);
  });

  it('a backoff in force is shown; an expired one is not', () => {
    const state = stateAfter([appCreated('/web'), launchDelayed('/web', 2, T0 + 5_000)]);
    expect(summary(launchQueue(state, T0 + 4_999))).toEqual([{ appId: '/web', count: 1, delayedUntilMs: T0 + 5_000 }]);
    expect(summary(launchQueue(state, T0 + 5_000))).toEqual([{ appId: '/web', count: 1, delayedUntilMs: null }]);
  });
});

describe('taskDemand', () => {
  it.each([
    {
      name: 'one dynamic port by default (host networking)',
      fields: {},
      want: { cpus: 1, mem: 128, disk: 0, portCount: 1, requiredPorts: undefined, containerType: 'MESOS' },
    },
    {
      name: 'no ports when portDefinitions is empty',
      fields: { portDefinitions: [], cpus: 0.25, mem: 64, disk: 5 },
      want: { cpus: 0.25, mem: 64, disk: 5, portCount: 0, requiredPorts: undefined, containerType: 'MESOS' },
    },
    {
      name: 'fixed ports without requirePorts are service ports: host ports stay dynamic',
      fields: { portDefinitions: [{ port: 8080 }, { port: 8081 }] },
      want: { cpus: 1, mem: 128, disk: 0, portCount: 2, requiredPorts: undefined, containerType: 'MESOS' },
    },
    {
      name: 'requirePorts asks for the fixed ports exactly',
      fields: { requirePorts: true, portDefinitions: [{ port: 8080 }, { port: 8081 }] },
      want: { cpus: 1, mem: 128, disk: 0, portCount: 2, requiredPorts: [8080, 8081], containerType: 'MESOS' },
    },
    {
      name: 'requirePorts with only 0 ports is all dynamic',
      fields: { requirePorts: true, portDefinitions: [{ port: 0 }] },
      want: { cpus: 1, mem: 128, disk: 0, portCount: 1, requiredPorts: undefined, containerType: 'MESOS' },
    },
    {
      name: 'a DOCKER container asks for an agent that runs docker',
      fields: { container: { type: 'DOCKER', docker: { image: 'nginx' } } },
      want: { cpus: 1, mem: 128, disk: 0, portCount: 1, requiredPorts: undefined, containerType: 'DOCKER' },
    },
  ])('$name', ({ fields, want }) => {
    expect(taskDemand(definitionOf('/web', fields))).toEqual(want);
  });
});
