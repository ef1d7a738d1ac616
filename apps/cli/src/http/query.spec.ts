import { forceParam, withQuery } from './query';

describe('withQuery', () => {
  it('appends the parameters that are set, URL-encoded, in order', () => {
    expect(withQuery('/v2/apps/a/tasks', { host: 'node a&b', scale: true, wipe: undefined })).toBe(
      '/v2/apps/a/tasks?host=node+a%26b&scale=true',
    );
  });

  it('leaves the path alone when no parameter is set', () => {
    expect(withQuery('/v2/queue', { force: undefined })).toBe('/v2/queue');
  });

  it('keeps false (an explicit choice, not the default)', () => {
    expect(withQuery('/v2/apps/a', { partialUpdate: false })).toBe('/v2/apps/a?partialUpdate=false');
  });
});

describe('forceParam', () => {
  it('is force=true only when the flag is given', () => {
    expect(forceParam(true)).toEqual({ force: true });
    expect(forceParam(undefined)).toEqual({});
    expect(forceParam(false)).toEqual({});
  });
});
