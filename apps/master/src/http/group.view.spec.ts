import { evolve, initialState, type ClusterState } from '@cairn/domain';
import { recorded } from '@cairn/domain/testing/decider-spec';
import { appCreated } from '@cairn/domain/testing/cluster-builders';
import { draft } from '@cairn/domain';
import { GroupTree, parseGroupEmbed } from './group.view';

const T = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;

function state(): ClusterState {
  const s = initialState();
  const group = (id: string, dependencies: string[], minute: number) =>
    draft('GroupCreated', { group: { id, dependencies, enforceRole: false }, version: T(minute) });
  for (const event of [
    group('/shop', [], 1),
    appCreated('/shop/db/pg', {}, Date.parse(T(2))),
    group('/shop/web', ['/shop/db'], 3),
    appCreated('/shop/web/api', {}, Date.parse(T(4))),
    appCreated('/top', {}, Date.parse(T(5))),
  ]) {
    evolve(s, recorded(event));
  }
  return s;
}

describe('GroupTree', () => {
  it('holds named groups and the groups app paths imply, each version the newest change within it', () => {
    const tree = new GroupTree(state());
    expect(['/', '/shop', '/shop/db', '/shop/web'].map((id) => tree.has(id))).toEqual([true, true, true, true]);
    expect(tree.has('/nope')).toBe(false);
    expect(tree.version('/shop/db')).toBe(T(2)); // implicit: its app's version
    expect(tree.version('/shop')).toBe(T(4)); // its subgroup's app
    expect(tree.version('/')).toBe(T(5));
    expect(tree.versionsOf('/shop/web')).toEqual([T(4), T(3)]); // the current one, then its command's
    expect(tree.versionsOf('/nope')).toEqual([]);
  });

  it("renders Marathon's field set in its order, apps and groups as embedded", () => {
    const view = new GroupTree(state()).view('/shop', parseGroupEmbed(undefined), 0);
    expect(Object.keys(view)).toEqual(['id', 'apps', 'groups', 'pods', 'dependencies', 'version']);
    const web = (view.groups as Record<string, unknown>[])[1]!;
    expect(web).toMatchObject({ id: '/shop/web', dependencies: ['/shop/db'] });
    expect((web.apps as Record<string, unknown>[])[0]).not.toHaveProperty('tasks');
    const groupsOnly = new GroupTree(state()).view('/shop', parseGroupEmbed('group.groups'), 0);
    expect(groupsOnly).not.toHaveProperty('apps');
    const withTasks = new GroupTree(state()).view('/shop/web', parseGroupEmbed(['group.apps.tasks']), 0);
    expect((withTasks.apps as Record<string, unknown>[])[0]).toHaveProperty('tasks', []);
  });

  it('gives a group back as a GroupUpdate that recreates it (what a revert applies)', () => {
    const spec = new GroupTree(state()).asSpec('/shop') as {
      groups: { id: string; apps: Record<string, unknown>[] }[];
    };
    expect(spec.groups.map((g) => g.id)).toEqual(['/shop/db', '/shop/web']);
    expect(spec.groups[1]!.apps[0]).toMatchObject({ id: '/shop/web/api' });
    expect(spec.groups[1]!.apps[0]).not.toHaveProperty('version');
  });
});
