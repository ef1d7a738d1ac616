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
 */
export function planSteps(changes: ReadonlyMap<string, AppChange>): DeploymentStep[] {
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
  const depthOf = dependencyDepths(changes);
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
function dependencyDepths(changes: ReadonlyMap<string, AppChange>): (app: string) => number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (app: string): number => {
    const known = memo.get(app);
    if (known !== undefined) return known;
    if (visiting.has(app)) return 0;
    visiting.add(app);
    const target = changes.get(app)?.target;
    const dependencies = ((target?.dependencies as string[] | undefined) ?? []).filter(
      (dep) => changes.get(dep)?.target,
    );
    const value = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(depth));
    visiting.delete(app);
    memo.set(app, value);
    return value;
  };
  return depth;
}
