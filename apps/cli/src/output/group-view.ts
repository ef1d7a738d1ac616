/** How `cairn groups` shows Marathon's group tree (GET /v2/groups). Pure functions. */

/** The fields of a group the CLI reads; anything may be missing from another server's answer. */
export interface ApiGroup {
  readonly id?: string;
  readonly apps?: readonly { readonly id?: string; readonly instances?: number }[];
  readonly groups?: readonly ApiGroup[];
  readonly dependencies?: readonly string[];
  readonly version?: string;
}

export const GROUPS_COLUMNS = ['GROUP', 'APPS', 'INSTANCES', 'DEPENDENCIES', 'VERSION'] as const;

/**
 * One row per group of the tree, depth first, indented by depth. APPS and INSTANCES count the
 * group's own apps (not its subgroups'), so a row reads as what the group itself holds.
 */
export function groupRows(root: ApiGroup, depth = 0): string[][] {
  const apps = root.apps ?? [];
  const instances = apps.reduce((sum, app) => sum + (typeof app.instances === 'number' ? app.instances : 0), 0);
  const row = [
    `${'  '.repeat(depth)}${root.id ?? '?'}`,
    String(apps.length),
    String(instances),
    (root.dependencies ?? []).join(',') || '-',
    root.version ?? '-',
  ];
  const children = [...(root.groups ?? [])].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return [row, ...children.flatMap((child) => groupRows(child, depth + 1))];
}

/** `/v2/groups` for the root (`/`, or nothing), `/v2/groups/prod/db` for `prod/db` or `/prod/db`. */
export function groupPath(id: string | undefined): string {
  const segments = (id ?? '').split('/').filter((segment) => segment !== '');
  return segments.length === 0 ? '/v2/groups' : '/v2/groups/' + segments.map(encodeURIComponent).join('/');
}
