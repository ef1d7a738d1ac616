import fc from 'fast-check';
import { Constraint } from './constraint';
import { KillCandidate, selectKillsForConstraints } from './select-kills';

const task = (taskId: string, rack?: string, hostname = `${taskId}-host`): KillCandidate => ({
  taskId,
  hostname,
  attributes: rack === undefined ? {} : { rack },
});
const GROUP_BY_RACK: Constraint[] = [['rack', 'GROUP_BY']];

describe('selectKillsForConstraints', () => {
  it('without GROUP_BY takes the first candidates in the order given', () => {
    const candidates = [task('t1', 'r1'), task('t2', 'r1'), task('t3', 'r2')];
    expect(selectKillsForConstraints([], candidates, 2)).toEqual(['t1', 't2']);
    expect(selectKillsForConstraints([['hostname', 'UNIQUE']], candidates, 1)).toEqual(['t1']);
  });

  it('takes from the largest group first', () => {
    // r1: 3, r2: 1. Killing two from r1 leaves 1 and 1.
    const candidates = [task('t1', 'r2'), task('t2', 'r1'), task('t3', 'r1'), task('t4', 'r1')];
    expect(selectKillsForConstraints(GROUP_BY_RACK, candidates, 2)).toEqual(['t2', 't3']);
  });

  it('breaks a tie between groups by the lower group value, then takes the earliest candidate in it', () => {
    const candidates = [task('t1', 'r2'), task('t2', 'r1'), task('t3', 'r2'), task('t4', 'r1')];
    // r1 and r2 hold 2 each: r1 goes first, and t2 before t4; then r2 is the larger (2 to 1).
    expect(selectKillsForConstraints(GROUP_BY_RACK, candidates, 3)).toEqual(['t2', 't1', 't4']);
  });

  it('takes candidates without the field first: they are in no group', () => {
    const candidates = [task('t1', 'r1'), task('t2', 'r1'), task('t3'), task('t4', 'r2')];
    expect(selectKillsForConstraints(GROUP_BY_RACK, candidates, 2)).toEqual(['t3', 't1']);
  });

  it('keeps a hostname spread even with @hostname', () => {
    const candidates = [task('t1', undefined, 'a'), task('t2', undefined, 'b'), task('t3', undefined, 'b')];
    expect(selectKillsForConstraints([['@hostname', 'GROUP_BY', '2']], candidates, 1)).toEqual(['t2']);
  });

  it('with two GROUP_BY constraints follows the first, then the second', () => {
    const zoned = (taskId: string, rack: string, zone: string): KillCandidate => ({
      taskId,
      hostname: taskId,
      attributes: { rack, zone },
    });
    const candidates = [
      zoned('t1', 'r1', 'z1'),
      zoned('t2', 'r1', 'z2'),
      zoned('t3', 'r2', 'z2'),
      zoned('t4', 'r2', 'z2'),
    ];
    const constraints: Constraint[] = [
      ['rack', 'GROUP_BY'],
      ['zone', 'GROUP_BY'],
    ];
    // Racks tie (2, 2); zone z2 (3) beats z1 (1), so t2 (r1, z2) goes before t1 (r1, z1).
    expect(selectKillsForConstraints(constraints, candidates, 1)).toEqual(['t2']);
  });

  it('returns no more than the candidates, and nothing for a count of 0', () => {
    const candidates = [task('t1', 'r1'), task('t2', 'r2')];
    expect(selectKillsForConstraints(GROUP_BY_RACK, candidates, 5).sort()).toEqual(['t1', 't2']);
    expect(selectKillsForConstraints(GROUP_BY_RACK, candidates, 0)).toEqual([]);
    expect(selectKillsForConstraints([], candidates, -1)).toEqual([]);
  });
});

/** A balanced spread: `groups` racks of `base` or `base + 1` tasks, in a shuffled order. */
const balancedCandidates = fc
  .record({
    groups: fc.integer({ min: 1, max: 5 }),
    base: fc.integer({ min: 0, max: 4 }),
    extras: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  })
  .chain(({ groups, base, extras }) => {
    const tasks: KillCandidate[] = [];
    for (let g = 0; g < groups; g++) {
      const size = base + (extras[g] ? 1 : 0);
      for (let i = 0; i < size; i++) tasks.push(task(`r${g}-t${i}`, `r${g}`));
    }
    return fc.tuple(fc.shuffledSubarray(tasks, { minLength: tasks.length }), fc.constant(groups));
  });

const spread = (tasks: readonly KillCandidate[], groups: number): number => {
  const counts = Array.from({ length: groups }, (_, g) => tasks.filter((t) => t.attributes?.rack === `r${g}`).length);
  return Math.max(...counts) - Math.min(...counts);
};

describe('selectKillsForConstraints properties', () => {
  it('keeps a balanced GROUP_BY spread balanced (max - min <= 1) whatever it kills', () => {
    fc.assert(
      fc.property(balancedCandidates, fc.nat(25), ([candidates, groups], count) => {
        expect(spread(candidates, groups)).toBeLessThanOrEqual(1);
        const killed = new Set(selectKillsForConstraints(GROUP_BY_RACK, candidates, count));
        const kept = candidates.filter((c) => !killed.has(c.taskId));
        expect(spread(kept, groups)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never widens a GROUP_BY spread beyond what it was, or 1', () => {
    const racked = fc
      .array(fc.constantFrom('r0', 'r1', 'r2'), { maxLength: 20 })
      .map((racks) => racks.map((rack, i) => task(`t${i}`, rack)));
    fc.assert(
      fc.property(racked, fc.nat(20), (candidates, count) => {
        const killed = new Set(selectKillsForConstraints(GROUP_BY_RACK, candidates, count));
        const kept = candidates.filter((c) => !killed.has(c.taskId));
        expect(spread(kept, 3)).toBeLessThanOrEqual(Math.max(spread(candidates, 3), 1));
      }),
    );
  });

  it('never returns a task twice, nor more than count, nor one it was not given', () => {
    const anyCandidates = fc.uniqueArray(
      fc.record({
        taskId: fc.string({ minLength: 1, maxLength: 4 }),
        hostname: fc.constantFrom('a', 'b', 'c'),
        attributes: fc.option(fc.record({ rack: fc.constantFrom('r1', 'r2', 'r3') }), { nil: undefined }),
      }),
      { selector: (c) => c.taskId, maxLength: 20 },
    );
    const constraintsArb = fc.subarray<Constraint>([
      ['rack', 'GROUP_BY'],
      ['hostname', 'GROUP_BY', '3'],
      ['hostname', 'UNIQUE'],
    ]);
    fc.assert(
      fc.property(constraintsArb, anyCandidates, fc.integer({ min: -2, max: 25 }), (constraints, candidates, count) => {
        const killed = selectKillsForConstraints(constraints, candidates, count);
        expect(new Set(killed).size).toBe(killed.length);
        expect(killed.length).toBe(Math.max(0, Math.min(count, candidates.length)));
        const ids = new Set(candidates.map((c) => c.taskId));
        for (const id of killed) expect(ids.has(id)).toBe(true);
      }),
    );
  });
});
