import type { ClusterState } from '../state';
import { ancestorsOf, isBelow, isWithin, parentOf, ROOT_GROUP } from './group-path';

/**
 * Whether a group exists: the root always does, a group named by a group command does until it
 * is deleted, and so does every group an app's path passes through (Marathon creates those
 * implicitly).
 */
export function groupExists(state: ClusterState, groupId: string): boolean {
  if (groupId === ROOT_GROUP || state.groups.has(groupId)) return true;
  for (const appId of state.apps.keys()) if (isBelow(appId, groupId)) return true;
  return false;
}

/** The ids of a group's direct subgroups, named or implicit, sorted. */
export function childGroupsOf(state: ClusterState, groupId: string): string[] {
  const children = new Set<string>();
  for (const id of state.groups.keys()) if (id !== ROOT_GROUP && parentOf(id) === groupId) children.add(id);
  for (const appId of state.apps.keys()) {
    const child = childOnTheWay(appId, groupId);
    if (child) children.add(child);
  }
  return [...children].sort();
}

/** The ids of a group's own apps (not its subgroups'), sorted. */
export function childAppsOf(state: ClusterState, groupId: string): string[] {
  return [...state.apps.keys()].filter((appId) => parentOf(appId) === groupId).sort();
}

/** Every app within a group, at any depth, sorted. */
export function appsWithin(state: ClusterState, groupId: string): string[] {
  return [...state.apps.keys()].filter((appId) => isWithin(appId, groupId)).sort();
}

/**
 * The dependencies an app inherits from the groups it is in (Marathon: a group's dependencies
 * hold for everything in it), as absolute paths of apps or groups.
 */
export function inheritedDependencies(
  groups: ReadonlyMap<string, { readonly dependencies: readonly string[] }>,
  appId: string,
): string[] {
  return ancestorsOf(appId).flatMap((group) => groups.get(group)?.dependencies ?? []);
}

/** The direct subgroup of `groupId` that `path` is within, if `path` is deeper than a direct child. */
function childOnTheWay(path: string, groupId: string): string | null {
  if (!isBelow(path, groupId) || parentOf(path) === groupId) return null;
  const rest = groupId === ROOT_GROUP ? path.slice(1) : path.slice(groupId.length + 1);
  const head = rest.split('/')[0];
  return groupId === ROOT_GROUP ? `/${head}` : `${groupId}/${head}`;
}
