/**
 * Paths of apps and groups (`/prod/db/mysql`): the root group is `/`, and every app or group is
 * within each of its ancestors. Plain string work, shared by the decider and the views.
 */
export const ROOT_GROUP = '/';

/** `/a/b/c` → `/a/b`; `/a` → `/`. */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? ROOT_GROUP : path.slice(0, cut);
}

/** Whether `path` is `group` itself or anything below it (everything is within the root). */
export function isWithin(path: string, group: string): boolean {
  return group === ROOT_GROUP || path === group || path.startsWith(`${group}/`);
}

/** Strictly below `group`. */
export function isBelow(path: string, group: string): boolean {
  return path !== group && isWithin(path, group);
}

/** The groups `path` is in, nearest first, the root last: `/a/b/c` → `/a/b`, `/a`, `/`. */
export function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  for (let at = path; at !== ROOT_GROUP;) {
    at = parentOf(at);
    ancestors.push(at);
  }
  return ancestors;
}
