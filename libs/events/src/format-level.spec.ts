import { catalogue, eventTypes } from './catalogue';
import { EVENT_FORMAT_LEVEL, formatLevelOf, INITIAL_CLUSTER_VERSION, INTRODUCED_AT_LEVEL } from './format-level';

describe('event format levels', () => {
  it('this release reads every (type, version) of its catalogue', () => {
    for (const type of eventTypes) {
      for (const v of Object.keys(catalogue[type].versions).map(Number)) {
        expect({ type, v, level: formatLevelOf(type, v) }).toEqual({ type, v, level: expect.any(Number) });
        expect(formatLevelOf(type, v)).toBeLessThanOrEqual(EVENT_FORMAT_LEVEL);
        expect(formatLevelOf(type, v)).toBeGreaterThanOrEqual(INITIAL_CLUSTER_VERSION);
      }
    }
  });

  it('every level above 1 names a (type, version) that exists, and the top level is used', () => {
    const levels: number[] = [];
    for (const [type, versions] of Object.entries(INTRODUCED_AT_LEVEL)) {
      for (const [v, level] of Object.entries(versions ?? {})) {
        expect(Object.keys(catalogue[type as keyof typeof catalogue].versions)).toContain(v);
        levels.push(level);
      }
    }
    // EVENT_FORMAT_LEVEL is bumped together with the (type, version) that needs it, never alone.
    expect(Math.max(INITIAL_CLUSTER_VERSION, ...levels)).toBe(EVENT_FORMAT_LEVEL);
  });

  it('a later version of a type never needs a lower level than an earlier one', () => {
    for (const type of eventTypes) {
      const vs = Object.keys(catalogue[type].versions)
        .map(Number)
        .sort((a, b) => a - b);
      for (let i = 1; i < vs.length; i++) {
        expect(formatLevelOf(type, vs[i])).toBeGreaterThanOrEqual(formatLevelOf(type, vs[i - 1]));
      }
    }
  });

  it('ClusterVersionRaised is level 2: a master of level 1 cannot read it', () => {
    expect(formatLevelOf('ClusterVersionRaised', 1)).toBe(2);
    expect(formatLevelOf('LeaderElected', 1)).toBe(1);
  });
});
