import type { AppDefinition, DeploymentStartedData } from '@cairn/events';

export type DeploymentStep = DeploymentStartedData['steps'][number];
export type DeploymentAction = DeploymentStep['actions'][number];

/** One app before and after a change (null: absent). */
export interface AppChange {
  readonly original: AppDefinition | null;
  readonly target: AppDefinition | null;
}

/**
 * Marathon's DeploymentPlan: stop the removed apps (one step), start the new ones (one step, a
 * no-op kept for clients), then the new and changed apps in layers of their dependency depth
 * (Marathon's dependencyOrderedSteps: an app comes after everything it depends on). A new app
 * or a change of `instances` alone is a ScaleApplication; a new config version (any other field,
 * or a restart) is a RestartApplication. Empty steps are dropped. Pure; ties broken by app id.
 * A dependency is an app's path or a group's (every changed app within it); `inherited` gives the
 * dependencies an app has from the groups it is in.
 */
export function planSteps(
  changes: ReadonlyMap<string, AppChange>,
  inherited: (app: string) => readonly string[] = () => [],
): DeploymentStep[] {
  const ids = [...changes.keys()].sort();
  const stops: DeploymentAction[] = [];
  const starts: DeploymentAction[] = [];
  const actionOf = new Map<string, DeploymentAction>();
  for (const app of ids) {
    const { original, target } = changes.get(app)!;
    if (original && !target) stops.push({ action: 'StopApplication', app });
    if (!target) continue;
    if (!original) {
      starts.push({ action: 'StartApplication', app });
      actionOf.set(app, { action: 'ScaleApplication', app });
    } else if (needsRestart(original, target)) {
      actionOf.set(app, { action: 'RestartApplication', app });
    } else if (original.instances !== target.instances) {
      actionOf.set(app, { action: 'ScaleApplication', app });
    }
  }
  const depthOf = dependencyDepths(changes, inherited);
  const layers = new Map<number, DeploymentAction[]>();
  for (const [app, action] of actionOf) {
    const depth = depthOf(app);
    layers.set(depth, [...(layers.get(depth) ?? []), action]);
  }
  const ordered = [...layers.entries()].sort(([a], [b]) => a - b).map(([, actions]) => ({ actions }));
  return [{ actions: stops }, { actions: starts }, ...ordered].filter((step) => step.actions.length > 0);
}

/** A new config version (Marathon: version info differs), as decide records it. */
export function needsRestart(original: AppDefinition, target: AppDefinition): boolean {
  return original.versionInfo.lastConfigChangeAt !== target.versionInfo.lastConfigChangeAt;
}

/**
 * The longest dependency path below each app among the changed apps' targets (an app that depends
 * on nothing changed is at depth 0). A cycle (which validation refuses) is cut where it closes.
 */
function dependencyDepths(
  changes: ReadonlyMap<string, AppChange>,
  inherited: (app: string) => readonly string[],
): (app: string) => number {
  const targets = [...changes.keys()].filter((app) => changes.get(app)?.target);
  // A path names the app itself or, for a group, every changed app within it.
  const appsNamed = (path: string, app: string) =>
    targets.filter((other) => other !== app && (other === path || other.startsWith(path === '/' ? '/' : `${path}/`)));
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (app: string): number => {
    const known = memo.get(app);
    if (known !== undefined) return known;
    if (visiting.has(app)) return 0;
    visiting.add(app);
    const target = changes.get(app)?.target;
    const paths = target ? [...((target.dependencies as string[] | undefined) ?? []), ...inherited(app)] : [];
    const dependencies = [...new Set(paths.flatMap((path) => appsNamed(path, app)))];
    const value = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(depth));
    visiting.delete(app);
    memo.set(app, value);
    return value;
  };
  return depth;
}
