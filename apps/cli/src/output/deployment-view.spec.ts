import { deploymentRow, progressLines, reasonText, stepLines } from './deployment-view';

describe('reasonText', () => {
  const cases = [
    {
      name: 'a scalar shortage',
      reason: { reason: 'InsufficientMemory', requested: 512, available: 256 },
      want: 'InsufficientMemory (requested 512, available 256)',
    },
    {
      name: 'a constraint: its fields joined with colons',
      reason: { reason: 'UnfulfilledConstraint', constraint: ['hostname', 'UNIQUE'], value: 'a', placedWithValue: 1 },
      want: 'UnfulfilledConstraint (constraint hostname:UNIQUE, value a, placedWithValue 1)',
    },
    { name: 'a kind alone', reason: { reason: 'NoOffers' }, want: 'NoOffers' },
    { name: 'a bare string (Marathon style)', reason: 'InsufficientCpus', want: 'InsufficientCpus' },
  ];
  it.each(cases)('$name', ({ reason, want }) => {
    expect(reasonText(reason)).toBe(want);
  });
});

describe('progressLines', () => {
  it('lists kills and launches, and omits empty parts', () => {
    expect(
      progressLines([
        {
          action: 'RestartApplication',
          app: '/a',
          waitingFor: 'x',
          launchNow: 1,
          killNow: ['t1', 't2'],
          queueReasons: [],
        },
        { action: 'StopApplication', app: '/b', waitingFor: null, launchNow: 0, killNow: [] },
      ]),
    ).toEqual(['RestartApplication /a: x', '  now: launch 1; kill t1, t2', 'StopApplication /b: done']);
  });
});

describe('deploymentRow and stepLines on sparse answers', () => {
  it('shows - for what is missing instead of failing', () => {
    expect(deploymentRow({ id: 'd' }, undefined)).toEqual(['d', '-', '-/-', '-']);
    expect(stepLines({ steps: [{}] })).toEqual(['1. -']);
  });
});
