import { formatEventLine } from './event-line';

const at = '2025-01-02T03:04:05.000Z';

describe('formatEventLine', () => {
  const cases = [
    {
      name: 'AppCreated shows the app id, size and command',
      event: {
        offset: 1,
        at,
        type: 'AppCreated',
        data: { app: { id: '/web', instances: 2, cpus: 0.5, mem: 64, cmd: 'python3 -m http.server' } },
      },
      want: `     1  ${at}  AppCreated      app=/web instances=2 cpus=0.5 mem=64 cmd="python3 -m http.server"`,
    },
    {
      name: 'AppScaled shows the app and the new count',
      event: { offset: 12, at, type: 'AppScaled', data: { appId: '/web', instances: 0, lastScalingAt: at } },
      want: `    12  ${at}  AppScaled       app=/web instances=0`,
    },
    {
      name: 'AppDeleted shows the app',
      event: { offset: 3, at, type: 'AppDeleted', data: { appId: '/prod/db' } },
      want: `     3  ${at}  AppDeleted      app=/prod/db`,
    },
    {
      name: 'LeaderElected shows instance and epoch',
      event: { offset: 0, at, type: 'LeaderElected', data: { instance: 'm1', epoch: 4 } },
      want: `     0  ${at}  LeaderElected   instance=m1 epoch=4`,
    },
    {
      name: 'an unknown type shows its scalar fields, ids of objects and sizes of arrays',
      event: {
        offset: 7,
        at,
        type: 'TaskLaunched',
        data: { taskId: 't-1', agent: { id: 'a1' }, ports: [1, 2], env: { A: 1 } },
      },
      want: `     7  ${at}  TaskLaunched    taskId=t-1 agent=a1 ports=[2]`,
    },
    {
      name: 'an event without data ends after its type',
      event: { offset: 8, at, type: 'Tick' },
      want: `     8  ${at}  Tick`,
    },
  ];
  it.each(cases)('$name', ({ event, want }) => {
    expect(formatEventLine(event)).toBe(want);
  });

  it('cuts a long command so one event stays one short line', () => {
    const line = formatEventLine({
      offset: 1,
      at,
      type: 'AppCreated',
      data: { app: { id: '/x', cmd: 'x'.repeat(500) } },
    });
    expect(line.length).toBeLessThan(120);
    expect(line).toContain('…');
  });
});
