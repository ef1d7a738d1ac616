import { LabelSelectorSyntaxError, matchesLabels, parseLabelSelectors } from './label-selector';

const select = (selector: string, labels: Record<string, string>) =>
  matchesLabels(parseLabelSelectors(selector), labels);

describe('label selectors', () => {
  it('parses every selector kind', () => {
    expect(parseLabelSelectors('a, b==1, c!=2, d in (x, y), e notin (z)')).toEqual([
      { key: 'a', op: 'exists', values: [] },
      { key: 'b', op: '==', values: ['1'] },
      { key: 'c', op: '!=', values: ['2'] },
      { key: 'd', op: 'in', values: ['x', 'y'] },
      { key: 'e', op: 'notin', values: ['z'] },
    ]);
  });

  it('an empty selector selects everything', () => {
    expect(parseLabelSelectors('')).toEqual([]);
    expect(select('  ', {})).toBe(true);
  });

  it('existence', () => {
    expect(select('env', { env: 'prod' })).toBe(true);
    expect(select('env', { other: 'x' })).toBe(false);
  });

  it('equality and inequality; both need the key (as in Marathon)', () => {
    expect(select('env==prod', { env: 'prod' })).toBe(true);
    expect(select('env==prod', { env: 'dev' })).toBe(false);
    expect(select('env!=prod', { env: 'dev' })).toBe(true);
    expect(select('env!=prod', { env: 'prod' })).toBe(false);
    expect(select('env!=prod', {})).toBe(false);
  });

  it('set membership; notin needs the key too', () => {
    expect(select('tier in (web,db)', { tier: 'db' })).toBe(true);
    expect(select('tier in (web,db)', { tier: 'cache' })).toBe(false);
    expect(select('tier notin (web,db)', { tier: 'cache' })).toBe(true);
    expect(select('tier notin (web,db)', { tier: 'web' })).toBe(false);
    expect(select('tier notin (web)', {})).toBe(false);
  });

  it('a comma means AND', () => {
    expect(select('a==1,b==2', { a: '1', b: '2' })).toBe(true);
    expect(select('a==1,b==2', { a: '1', b: '3' })).toBe(false);
  });

  it('backslash escapes characters outside the term alphabet', () => {
    expect(parseLabelSelectors('my\\ key==a\\,b')).toEqual([{ key: 'my key', op: '==', values: ['a,b'] }]);
    expect(select('path==\\/srv\\/www', { path: '/srv/www' })).toBe(true);
    expect(select('v in (1\\,2, 3)', { v: '1,2' })).toBe(true);
  });

  it('a key named like a set operator is still a key', () => {
    expect(parseLabelSelectors('in==1,notin')).toEqual([
      { key: 'in', op: '==', values: ['1'] },
      { key: 'notin', op: 'exists', values: [] },
    ]);
    expect(parseLabelSelectors('keyin')).toEqual([{ key: 'keyin', op: 'exists', values: [] }]);
  });

  it.each(['==x', 'a==', 'a b', 'a in x', 'a in (x', 'a,,b', 'a,', 'a=b', 'a/b', 'a in (x,)'])(
    'rejects %j with its position',
    (selector) => {
      expect(() => parseLabelSelectors(selector)).toThrow(LabelSelectorSyntaxError);
      expect(() => parseLabelSelectors(selector)).toThrow(/position \d+/);
    },
  );
});
