import { AppIdMessages, jsonPathId, normaliseAppId, parentOf, pathIdRuleErrors } from './app-id';

describe('normaliseAppId', () => {
  it.each([
    ['web', '/web'],
    ['/web', '/web'],
    ['/prod/web/', '/prod/web'],
    ['//prod//web//', '/prod/web'],
    ['/prod/./web', '/prod/web'],
    ['/prod/../web', '/web'],
    ['/../../web', '/web'],
    ['', '/'],
    ['/', '/'],
  ])('%j becomes %j', (raw, id) => expect(normaliseAppId(raw)).toBe(id));

  it('resolves a relative id against a base group', () => {
    expect(normaliseAppId('db', '/prod')).toBe('/prod/db');
    expect(normaliseAppId('../ops/log', '/prod/web')).toBe('/prod/ops/log');
    expect(normaliseAppId('/abs', '/prod')).toBe('/abs');
  });

  it('parentOf names the group of an app', () => {
    expect(parentOf('/prod/web')).toBe('/prod');
    expect(parentOf('/web')).toBe('/');
  });
});

describe('path id rules', () => {
  it('the RAML pattern (parse layer) accepts Marathon ids and refuses others', () => {
    for (const ok of ['/web', 'web', '/prod/web-1', '/a.b/c', '/a/../b', '//a']) expect(jsonPathId(ok)).toEqual([]);
    for (const bad of ['/Web', '/web_1', '/-web', '/web-', '/a/./b', '/a b']) {
      expect(jsonPathId(bad)).toEqual([{ at: '', error: 'error.pattern' }]);
    }
  });

  it('a segment outside the segment pattern gets Marathon’s message quoting the pattern', () => {
    expect(pathIdRuleErrors('/prod/Web')).toEqual([AppIdMessages.segmentPattern]);
    expect(AppIdMessages.segmentPattern).toBe(
      "must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'",
    );
  });

  it.each(['restart', 'tasks', 'versions', '.', '..'])('an id may not end in %j', (keyword) => {
    expect(pathIdRuleErrors(`/prod/${keyword}`)).toEqual([AppIdMessages.reservedLastSegment]);
  });

  it('a reserved word is fine anywhere but last', () => {
    expect(pathIdRuleErrors('/tasks/web')).toEqual([]);
  });

  it('the root has no path element', () => {
    expect(pathIdRuleErrors('/')).toEqual([AppIdMessages.empty]);
  });

  it('checking a long hostile id stays fast (no catastrophic backtracking)', () => {
    const hostile = `/${'a-'.repeat(20_000)}!`;
    const started = Date.now();
    expect(jsonPathId(hostile)).toEqual([{ at: '', error: 'error.pattern' }]);
    expect(pathIdRuleErrors(hostile)).toEqual([AppIdMessages.segmentPattern]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
