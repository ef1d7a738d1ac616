import { formatAge, taskRow } from './task-view';

const nowMs = Date.parse('2025-01-02T03:10:00.000Z');

describe('taskRow', () => {
  it('shows id, app, host, state without its prefix, ports and the age since it started', () => {
    const row = taskRow(
      {
        id: 'prod_web.5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50',
        appId: '/prod/web',
        host: 'node-a',
        ports: [31001, 31002],
        slaveId: 'a1',
        stagedAt: '2025-01-02T03:04:00.000Z',
        startedAt: '2025-01-02T03:04:48.000Z',
        state: 'TASK_RUNNING',
      },
      nowMs,
    );
    expect(row).toEqual([
      'prod_web.5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50',
      '/prod/web',
      'node-a',
      'RUNNING',
      '31001,31002',
      '5m12s',
    ]);
  });

  it('shows - for a task that has not started and has no ports', () => {
    const row = taskRow({ id: 't', appId: '/a', host: 'h', ports: [], state: 'TASK_STAGING' }, nowMs);
    expect(row).toEqual(['t', '/a', 'h', 'STAGING', '-', '-']);
  });
});

describe('formatAge', () => {
  const cases = [
    { name: 'under a second is 0s', ageMs: 999, want: '0s' },
    { name: 'seconds alone', ageMs: 42_000, want: '42s' },
    { name: 'minutes and seconds', ageMs: 3 * 60_000 + 12_000, want: '3m12s' },
    { name: 'whole minutes drop the zero seconds', ageMs: 5 * 60_000, want: '5m' },
    { name: 'hours and minutes, seconds dropped', ageMs: 5 * 3_600_000 + 7 * 60_000 + 59_000, want: '5h7m' },
    { name: 'days and hours', ageMs: 2 * 86_400_000 + 3 * 3_600_000 + 1, want: '2d3h' },
    { name: 'a start in the future (clock skew) is 0s', ageMs: -5_000, want: '0s' },
  ];
  it.each(cases)('$name', ({ ageMs, want }) => {
    expect(formatAge(ageMs)).toBe(want);
  });
});
