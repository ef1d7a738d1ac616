import { agentRow, formatPortRanges, usedOfTotal } from './agent-view';

describe('agentRow', () => {
  it('shows the short id, resources as used/total, port ranges and attributes', () => {
    const row = agentRow({
      agentId: '5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50',
      hostname: 'node-a',
      status: 'ACTIVE',
      connected: true,
      resources: {
        cpus: 4,
        mem: 8192,
        disk: 10000,
        ports: [
          [31000, 32000],
          [40000, 40000],
        ],
      },
      used: { cpus: 0.5, mem: 128, disk: 0, ports: [[31001, 31001]] },
      tasks: 2,
      attributes: { rack: 'a', zone: '1' },
    });
    expect(row).toEqual([
      '5f0c2a9e',
      'node-a',
      'ACTIVE',
      '-',
      'yes',
      '0.5/4',
      '128/8192',
      '31000-32000,40000',
      '2',
      'rack=a,zone=1',
    ]);
  });

  it('falls back to - for what a master does not send, and counts missing use as 0', () => {
    const row = agentRow({ agentId: 'a1', resources: { cpus: 2 }, connected: false });
    expect(row).toEqual(['a1', '-', '-', '-', 'no', '0/2', '-', '-', '-', '-']);
  });

  it('shows the drain: DRAINING with its deadline, or DRAINED', () => {
    const drain = (state: string, deadline: string | null) => agentRow({ drain: { state, deadline } })[3];
    expect(drain('DRAINING', '2026-01-01T00:10:00.000Z')).toBe('DRAINING until 2026-01-01T00:10:00.000Z');
    expect(drain('DRAINING', null)).toBe('DRAINING');
    expect(drain('DRAINED', '2026-01-01T00:10:00.000Z')).toBe('DRAINED');
    expect(agentRow({ drain: null })[3]).toBe('-');
  });
});

describe('agent cells', () => {
  const cases = [
    { name: 'no ranges show as -', ranges: [], want: '-' },
    { name: 'a one-port range shows the port', ranges: [[80, 80]], want: '80' },
    {
      name: 'ranges are joined in order',
      ranges: [
        [1, 2],
        [5, 9],
      ],
      want: '1-2,5-9',
    },
  ];
  it.each(cases)('$name', ({ ranges, want }) => {
    expect(formatPortRanges(ranges)).toBe(want);
  });

  it('an unknown total shows as - whatever is used', () => {
    expect(usedOfTotal(1, undefined)).toBe('-');
  });
});
