import { AgentFacts, Constraint } from './constraint';
import { meetsConstraint, meetsConstraints } from './meets-constraints';

const host = (hostname: string, attributes: Record<string, string> = {}): AgentFacts => ({ hostname, attributes });
const rack = (name: string, hostname = `${name}-host`): AgentFacts => host(hostname, { rack: name });
const bare = host('bare');

interface Case {
  readonly name: string;
  readonly constraint: Constraint;
  /** The app's instances already placed (their agents). */
  readonly given: readonly AgentFacts[];
  /** The agent offering. */
  readonly when: AgentFacts;
  readonly then: boolean;
  readonly instances?: number;
}

const cases: Case[] = [
  // UNIQUE
  {
    name: 'UNIQUE hostname takes a host no instance is on',
    constraint: ['hostname', 'UNIQUE'],
    given: [host('a')],
    when: host('b'),
    then: true,
  },
  {
    name: 'UNIQUE hostname refuses a host an instance is on',
    constraint: ['hostname', 'UNIQUE'],
    given: [host('a')],
    when: host('a'),
    then: false,
  },
  {
    name: 'UNIQUE @hostname is the hostname too',
    constraint: ['@hostname', 'UNIQUE'],
    given: [host('a')],
    when: host('a'),
    then: false,
  },
  {
    name: 'UNIQUE on an attribute refuses a value in use',
    constraint: ['rack', 'UNIQUE'],
    given: [rack('r1', 'x')],
    when: rack('r1', 'y'),
    then: false,
  },
  {
    name: 'UNIQUE on an attribute ignores instances without it',
    constraint: ['rack', 'UNIQUE'],
    given: [bare],
    when: rack('r1'),
    then: true,
  },
  {
    name: 'UNIQUE refuses an agent without the attribute',
    constraint: ['rack', 'UNIQUE'],
    given: [],
    when: bare,
    then: false,
  },
  {
    name: 'the operator is matched in any case',
    constraint: ['hostname', 'unique'],
    given: [host('a')],
    when: host('a'),
    then: false,
  },
  // CLUSTER
  {
    name: 'CLUSTER with a value takes an agent with that value',
    constraint: ['rack', 'CLUSTER', 'r1'],
    given: [],
    when: rack('r1'),
    then: true,
  },
  {
    name: 'CLUSTER with a value refuses another value',
    constraint: ['rack', 'CLUSTER', 'r1'],
    given: [],
    when: rack('r2'),
    then: false,
  },
  {
    name: 'CLUSTER with a value ignores where instances are',
    constraint: ['rack', 'CLUSTER', 'r1'],
    given: [rack('r2')],
    when: rack('r1'),
    then: true,
  },
  {
    name: 'CLUSTER without a value puts the first instance anywhere',
    constraint: ['rack', 'CLUSTER'],
    given: [],
    when: rack('r2'),
    then: true,
  },
  {
    name: 'CLUSTER without a value follows the first instance',
    constraint: ['rack', 'CLUSTER'],
    given: [rack('r2'), rack('r3')],
    when: rack('r2'),
    then: true,
  },
  {
    name: 'CLUSTER without a value refuses a value the first instance is not on',
    constraint: ['rack', 'CLUSTER'],
    given: [rack('r2')],
    when: rack('r1'),
    then: false,
  },
  {
    name: 'CLUSTER with an empty value is CLUSTER without one',
    constraint: ['hostname', 'CLUSTER', ''],
    given: [host('a')],
    when: host('b'),
    then: false,
  },
  {
    name: 'CLUSTER without a value follows the first instance that has the field',
    constraint: ['rack', 'CLUSTER'],
    given: [bare, rack('r2')],
    when: rack('r2'),
    then: true,
  },
  {
    name: 'CLUSTER refuses an agent without the attribute',
    constraint: ['rack', 'CLUSTER'],
    given: [],
    when: bare,
    then: false,
  },
  // LIKE / UNLIKE
  {
    name: 'LIKE takes a value the pattern matches whole',
    constraint: ['rack', 'LIKE', 'rack-[12]'],
    given: [],
    when: rack('rack-1'),
    then: true,
  },
  {
    name: 'LIKE refuses a value the pattern matches only in part',
    constraint: ['rack', 'LIKE', 'rack-[12]'],
    given: [],
    when: rack('rack-10'),
    then: false,
  },
  {
    name: 'LIKE anchors an alternation as a whole',
    constraint: ['hostname', 'LIKE', 'a|b'],
    given: [],
    when: host('ab'),
    then: false,
  },
  {
    name: 'LIKE on the hostname',
    constraint: ['hostname', 'LIKE', 'web-.*'],
    given: [],
    when: host('web-7'),
    then: true,
  },
  {
    name: 'LIKE refuses an agent without the attribute',
    constraint: ['rack', 'LIKE', '.*'],
    given: [],
    when: bare,
    then: false,
  },
  {
    name: 'LIKE with a pattern that does not compile is never met',
    constraint: ['rack', 'LIKE', 'a)(?:b'],
    given: [],
    when: rack('a)(?:b'),
    then: false,
  },
  {
    name: 'UNLIKE refuses a value the pattern matches whole',
    constraint: ['rack', 'UNLIKE', 'rack-[12]'],
    given: [],
    when: rack('rack-2'),
    then: false,
  },
  {
    name: 'UNLIKE takes a value the pattern matches only in part',
    constraint: ['rack', 'UNLIKE', 'rack-[12]'],
    given: [],
    when: rack('rack-21'),
    then: true,
  },
  {
    name: 'UNLIKE takes an agent without the attribute',
    constraint: ['rack', 'UNLIKE', '.*'],
    given: [],
    when: bare,
    then: true,
  },
  {
    name: 'UNLIKE with a pattern that does not compile is never met',
    constraint: ['rack', 'UNLIKE', '('],
    given: [],
    when: rack('x'),
    then: false,
  },
  // MAX_PER
  {
    name: 'MAX_PER takes a value with fewer than N instances',
    constraint: ['rack', 'MAX_PER', '2'],
    given: [rack('r1'), rack('r2')],
    when: rack('r1'),
    then: true,
  },
  {
    name: 'MAX_PER refuses a value with N instances',
    constraint: ['rack', 'MAX_PER', '2'],
    given: [rack('r1'), rack('r1'), rack('r2')],
    when: rack('r1'),
    then: false,
  },
  {
    name: 'MAX_PER 0 refuses every agent',
    constraint: ['hostname', 'MAX_PER', '0'],
    given: [],
    when: host('a'),
    then: false,
  },
  {
    name: 'MAX_PER without a number is never met',
    constraint: ['hostname', 'MAX_PER', 'two'],
    given: [],
    when: host('a'),
    then: false,
  },
  {
    name: 'MAX_PER refuses an agent without the attribute',
    constraint: ['rack', 'MAX_PER', '5'],
    given: [],
    when: bare,
    then: false,
  },
  // IS
  {
    name: 'IS takes an equal value',
    constraint: ['os', 'IS', 'linux'],
    given: [],
    when: host('a', { os: 'linux' }),
    then: true,
  },
  {
    name: 'IS compares strings exactly',
    constraint: ['os', 'IS', 'linux'],
    given: [],
    when: host('a', { os: 'Linux' }),
    then: false,
  },
  {
    name: 'IS refuses an agent without the attribute',
    constraint: ['os', 'IS', 'linux'],
    given: [],
    when: bare,
    then: false,
  },
  // Attributes are own properties only.
  {
    name: 'an attribute named like an Object method is missing unless the agent has it',
    constraint: ['constructor', 'LIKE', '.*'],
    given: [],
    when: bare,
    then: false,
  },
  // Unknown operators
  {
    name: 'an unknown operator is never met',
    constraint: ['hostname', 'NEAR', 'a'],
    given: [],
    when: host('a'),
    then: false,
  },
];

describe('meetsConstraint', () => {
  it.each(cases)('$name', ({ constraint, given, when, then, instances }) => {
    expect(meetsConstraint(constraint, when, given, instances ?? 10)).toBe(then);
  });
});

describe('GROUP_BY', () => {
  const groupBy = (n?: number): Constraint => (n === undefined ? ['rack', 'GROUP_BY'] : ['rack', 'GROUP_BY', `${n}`]);
  const racks = (...names: string[]) => names.map((name) => rack(name));
  const accepts = (constraint: Constraint, placed: AgentFacts[], offered: string, instances: number) =>
    meetsConstraint(constraint, rack(offered), placed, instances);

  it('without N takes a value not yet used', () => {
    expect(accepts(groupBy(), racks('r1', 'r1'), 'r2', 10)).toBe(true);
  });

  it('without N takes a used value only while it has the fewest instances', () => {
    const placed = racks('r1', 'r1', 'r2');
    expect(accepts(groupBy(), placed, 'r2', 10)).toBe(true);
    expect(accepts(groupBy(), placed, 'r1', 10)).toBe(false);
    // Tied for the fewest: both are taken.
    expect(accepts(groupBy(), racks('r1', 'r2'), 'r1', 10)).toBe(true);
  });

  it('treats N of 0, a negative N or no number as no N (no division by zero)', () => {
    for (const value of ['0', '-3', 'x']) {
      expect(accepts(['rack', 'GROUP_BY', value], racks('r1', 'r1', 'r2'), 'r1', 10)).toBe(false);
      expect(accepts(['rack', 'GROUP_BY', value], racks('r1', 'r1', 'r2'), 'r2', 10)).toBe(true);
    }
  });

  it('with N takes a new value while fewer than N values are in use', () => {
    expect(accepts(groupBy(3), racks('r1', 'r2'), 'r3', 6)).toBe(true);
    expect(accepts(groupBy(2), racks('r1', 'r2'), 'r3', 6)).toBe(false);
  });

  it('with N fills a group up to floor(instances / N) even before the others have any', () => {
    // 6 instances over 3 racks: target 2 per rack, no remainder.
    expect(accepts(groupBy(3), racks('r1'), 'r1', 6)).toBe(true);
    expect(accepts(groupBy(3), racks('r1', 'r1'), 'r1', 6)).toBe(false);
  });

  it('with N shares the remainder: one more instance in as many groups as instances mod N', () => {
    // 5 instances over 3 racks: target 1, remainder 2.
    expect(accepts(groupBy(3), racks('r1', 'r2', 'r3'), 'r1', 5)).toBe(true);
    expect(accepts(groupBy(3), racks('r1', 'r1', 'r2', 'r3'), 'r2', 5)).toBe(true);
    expect(accepts(groupBy(3), racks('r1', 'r1', 'r2', 'r2', 'r3'), 'r3', 5)).toBe(false);
    expect(accepts(groupBy(3), racks('r1', 'r1', 'r2', 'r3'), 'r1', 5)).toBe(false);
  });

  it('with N and fewer instances than N puts one instance per group', () => {
    expect(accepts(groupBy(4), racks('r1'), 'r1', 2)).toBe(false);
    expect(accepts(groupBy(4), racks('r1'), 'r2', 2)).toBe(true);
  });

  it('ignores instances whose agent lacks the field', () => {
    expect(accepts(groupBy(), [bare, bare, rack('r1')], 'r1', 10)).toBe(true);
    expect(accepts(groupBy(1), [bare, bare], 'r1', 1)).toBe(true);
  });

  it('refuses an agent without the field', () => {
    expect(meetsConstraint(groupBy(), bare, [], 10)).toBe(false);
  });
});

describe('meetsConstraints', () => {
  it('is met when every constraint is, and with no constraints at all', () => {
    const constraints: Constraint[] = [
      ['hostname', 'UNIQUE'],
      ['rack', 'LIKE', 'r[0-9]'],
    ];
    expect(meetsConstraints(constraints, rack('r1', 'a'), [rack('r1', 'b')], 3)).toEqual({ ok: true });
    expect(meetsConstraints([], bare, [bare], 1)).toEqual({ ok: true });
  });

  it('names the first constraint, in the app order, that the agent does not meet', () => {
    const constraints: Constraint[] = [
      ['rack', 'LIKE', 'r[0-9]'],
      ['hostname', 'UNIQUE'],
      ['rack', 'MAX_PER', '1'],
    ];
    expect(meetsConstraints(constraints, rack('r1', 'a'), [rack('r1', 'a')], 3)).toEqual({
      ok: false,
      constraint: ['hostname', 'UNIQUE'],
    });
  });
});
