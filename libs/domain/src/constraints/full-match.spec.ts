import { fullMatch, PATTERN_CACHE_MAX } from './full-match';

describe('fullMatch', () => {
  it('matches the whole value, as Java String.matches', () => {
    expect(fullMatch('rack-[0-9]', 'rack-1')).toBe(true);
    expect(fullMatch('rack-[0-9]', 'rack-12')).toBe(false);
    expect(fullMatch('rack', 'my-rack')).toBe(false);
    expect(fullMatch('a|b', 'b')).toBe(true);
    expect(fullMatch('a|b', 'ab')).toBe(false);
  });

  it('says undefined for a pattern that does not compile, even one that would compile wrapped', () => {
    expect(fullMatch('(', 'x')).toBeUndefined();
    expect(fullMatch('a)(?:b', 'a)(?:b')).toBeUndefined();
  });

  it('gives the same answers however many patterns passed through its cache', () => {
    for (let i = 0; i < PATTERN_CACHE_MAX * 2 + 3; i++) expect(fullMatch(`p${i}`, `p${i}`)).toBe(true);
    expect(fullMatch('p0', 'p0')).toBe(true);
    expect(fullMatch('p0', 'p1')).toBe(false);
  });
});
