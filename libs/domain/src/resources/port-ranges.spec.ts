import {
  addRanges,
  countPorts,
  normalizeRanges,
  PortRange,
  portsToRanges,
  rangesContain,
  subtractRanges,
  takePorts,
  takeSpecificPorts,
} from './port-ranges';
import { InvalidResourcesError } from './resource-errors';

describe('port ranges', () => {
  it.each<{ name: string; ranges: PortRange[]; want: PortRange[] }>([
    {
      name: 'sorts by begin',
      ranges: [
        [50, 60],
        [10, 20],
      ],
      want: [
        [10, 20],
        [50, 60],
      ],
    },
    {
      name: 'merges overlapping ranges',
      ranges: [
        [10, 20],
        [15, 30],
      ],
      want: [[10, 30]],
    },
    {
      name: 'merges adjacent ranges',
      ranges: [
        [10, 20],
        [21, 30],
      ],
      want: [[10, 30]],
    },
    {
      name: 'keeps a gap of one port',
      ranges: [
        [10, 20],
        [22, 30],
      ],
      want: [
        [10, 20],
        [22, 30],
      ],
    },
    {
      name: 'swallows a range inside another',
      ranges: [
        [10, 30],
        [12, 13],
      ],
      want: [[10, 30]],
    },
    { name: 'keeps single-port ranges', ranges: [[80, 80]], want: [[80, 80]] },
  ])('normalizing $name', ({ ranges, want }) => {
    expect(normalizeRanges(ranges)).toEqual(want);
  });

  it.each<[string, PortRange]>([
    ['begin after end', [20, 10]],
    ['a negative port', [-1, 10]],
    ['a port above 65535', [65_000, 70_000]],
    ['a fractional port', [1.5, 3]],
  ])('refuses %s', (_name, range) => {
    expect(() => normalizeRanges([range])).toThrow(InvalidResourcesError);
  });

  it('subtracts holes out of the middle, edges and whole ranges', () => {
    expect(
      subtractRanges(
        [
          [31000, 31010],
          [31020, 31030],
          [31040, 31045],
        ],
        [
          [31000, 31000],
          [31005, 31006],
          [31010, 31025],
          [31040, 31045],
        ],
      ),
    ).toEqual([
      [31001, 31004],
      [31007, 31009],
      [31026, 31030],
    ]);
  });

  it('ignores subtracted ports the ranges do not hold', () => {
    expect(
      subtractRanges(
        [[100, 110]],
        [
          [1, 5],
          [200, 300],
        ],
      ),
    ).toEqual([[100, 110]]);
  });

  it('adds as a set union', () => {
    expect(
      addRanges(
        [[1, 5]],
        [
          [3, 9],
          [20, 20],
        ],
      ),
    ).toEqual([
      [1, 9],
      [20, 20],
    ]);
  });

  it('counts ports once even where ranges overlap', () => {
    expect(countPorts([[31000, 32000]])).toBe(1001);
    expect(
      countPorts([
        [1, 10],
        [5, 14],
      ]),
    ).toBe(14);
  });

  it('contains a subset and not a set with one more port', () => {
    expect(
      rangesContain(
        [
          [1, 10],
          [20, 30],
        ],
        [
          [2, 3],
          [25, 30],
        ],
      ),
    ).toBe(true);
    expect(
      rangesContain(
        [
          [1, 10],
          [20, 30],
        ],
        [[10, 11]],
      ),
    ).toBe(false);
    expect(rangesContain([], [])).toBe(true);
  });

  it('takes the lowest ports first, across ranges', () => {
    expect(
      takePorts(
        [
          [31005, 31006],
          [31000, 31000],
        ],
        3,
      ),
    ).toEqual({
      ports: [31000, 31005, 31006],
      remaining: [],
    });
    expect(takePorts([[31000, 31010]], 2)).toEqual({ ports: [31000, 31001], remaining: [[31002, 31010]] });
  });

  it('takes no ports from no ranges, and nothing when too few are free', () => {
    expect(takePorts([], 0)).toEqual({ ports: [], remaining: [] });
    expect(takePorts([[1, 2]], 3)).toBeUndefined();
  });

  it('takes specific ports only when each is free and asked for once', () => {
    expect(takeSpecificPorts([[8000, 8100]], [8080, 8000])).toEqual({
      remaining: [
        [8001, 8079],
        [8081, 8100],
      ],
    });
    expect(takeSpecificPorts([[8000, 8100]], [8080, 9000])).toBeUndefined();
    expect(takeSpecificPorts([[8000, 8100]], [8080, 8080])).toBeUndefined();
  });

  it('turns ports into ranges', () => {
    expect(portsToRanges([5, 3, 4, 10])).toEqual([
      [3, 5],
      [10, 10],
    ]);
  });
});
