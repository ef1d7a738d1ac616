import { validateGroupUpdate } from './validate-group';

const app = (id: string, extra: Record<string, unknown> = {}) => ({ id, cmd: 'sleep 1', ...extra });

describe('validateGroupUpdate (Marathon GroupUpdate bodies)', () => {
  it('makes ids and dependencies absolute: children relative to their group, dependencies to its parent', () => {
    const result = validateGroupUpdate(
      {
        id: 'shop',
        groups: [
          { id: 'db', apps: [app('pg')] },
          { id: '/shop/web', dependencies: ['db', '/other/../ext'], apps: [app('/shop/web/api')] },
        ],
      },
      { mode: 'create', base: '/' },
    );
    expect(result).toMatchObject({
      ok: true,
      kind: 'change',
      group: {
        id: '/shop',
        groups: [
          { id: '/shop/db', apps: [{ id: '/shop/db/pg' }] },
          { id: '/shop/web', dependencies: ['/shop/db', '/ext'], apps: [{ id: '/shop/web/api' }] },
        ],
      },
    });
  });

  it('POST under a group: the body id is relative to the URL group', () => {
    expect(validateGroupUpdate({ id: 'b' }, { mode: 'create', base: '/a' })).toMatchObject({ group: { id: '/a/b' } });
  });

  it('scaleBy alone is a scale; version alone (PUT) a revert; either with a change is refused', () => {
    expect(validateGroupUpdate({ scaleBy: 2 }, { mode: 'update', base: '/a' })).toEqual({
      ok: true,
      kind: 'scale',
      scaleBy: 2,
    });
    expect(
      validateGroupUpdate({ id: '/a', version: '2026-01-01T00:00:00.000Z' }, { mode: 'update', base: '/a' }),
    ).toEqual({
      ok: true,
      kind: 'revert',
      version: '2026-01-01T00:00:00.000Z',
    });
    const both = validateGroupUpdate({ scaleBy: 2, apps: [] }, { mode: 'update', base: '/a' });
    expect(both).toMatchObject({ ok: false, message: 'Object is not valid', details: [{ path: '/' }] });
    expect(validateGroupUpdate({ scaleBy: -1 }, { mode: 'update', base: '/a' })).toMatchObject({
      ok: false,
      details: [{ path: '/scaleBy' }],
    });
  });

  it('reports every problem at its Marathon path: unknown fields, pods, strangers, bad apps', () => {
    const result = validateGroupUpdate(
      {
        id: '/q',
        bogus: true,
        pods: [{}],
        apps: [app('/elsewhere/x'), app('ok', { cpus: 'lots' }), app('ok2'), app('ok2')],
        groups: [{ id: '/q/r/s' }, 'not an object'],
      },
      { mode: 'create', base: '/' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details.map((d) => d.path)).toEqual([
      '/bogus',
      '/pods',
      '/apps(0)/id',
      '/apps(1)/cpus',
      '/apps(3)/id',
      '/groups(0)/id',
      '/groups(1)',
    ]);
  });

  it('a PUT body naming another group than the URL is refused; a missing id is the URL group', () => {
    expect(validateGroupUpdate({ id: '/b' }, { mode: 'update', base: '/a' })).toMatchObject({
      ok: false,
      details: [{ path: '/id' }],
    });
    expect(validateGroupUpdate({ dependencies: [] }, { mode: 'update', base: '/a' })).toMatchObject({
      ok: true,
      group: { id: '/a', dependencies: [] },
    });
    expect(validateGroupUpdate({}, { mode: 'create', base: '/' })).toMatchObject({
      ok: false,
      details: [{ path: '/id' }],
    });
    expect(validateGroupUpdate([], { mode: 'update', base: '/' })).toMatchObject({
      ok: false,
      message: 'Invalid JSON',
    });
  });

  it('PATCH validates its apps as patches (no cmd needed)', () => {
    expect(validateGroupUpdate({ apps: [{ id: 'web', instances: 3 }] }, { mode: 'patch', base: '/a' })).toMatchObject({
      ok: true,
      group: { id: '/a', apps: [{ id: '/a/web', instances: 3 }] },
    });
  });
});
