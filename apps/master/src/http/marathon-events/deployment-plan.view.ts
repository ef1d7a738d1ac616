import type { AppDefinition, DeploymentStartedData } from '@cairn/events';

/** `plan-format`: `light` keeps the group objects but leaves their apps out. */
export type PlanFormat = 'full' | 'light';

/**
 * A deployment plan as Marathon 1.6 rendered it in events: `{id, version, steps, original,
 * target}`, with `original`/`target` group-shaped. marathon-python 0.13.0 parses a `plan` into
 * MarathonDeploymentPlan, which requires both objects (None breaks it) and takes exactly these
 * keys (an unknown key is a TypeError), so even the light format keeps them, with no apps.
 * Cairn records only the affected apps, so the groups hold those, flat under `/`.
 */
export function deploymentPlan(plan: DeploymentStartedData, format: PlanFormat): Record<string, unknown> {
  return {
    id: plan.deploymentId,
    version: plan.version,
    steps: plan.steps.map((step) => ({ actions: step.actions.map((a) => ({ action: a.action, app: a.app })) })),
    original: rootGroup(plan.original, originalVersion(plan), format),
    target: rootGroup(plan.target, plan.version, format),
  };
}

/** A plan for a deployment whose start the stream never saw (see docs/marathon-events.md): parseable, empty. */
export function unknownPlan(deploymentId: string): Record<string, unknown> {
  const empty = { id: '/', apps: [], groups: [], dependencies: [], version: '' };
  return { id: deploymentId, version: '', steps: [], original: empty, target: { ...empty } };
}

function rootGroup(
  apps: Readonly<Record<string, AppDefinition | null>>,
  version: string,
  format: PlanFormat,
): Record<string, unknown> {
  const present = Object.values(apps).filter((app): app is AppDefinition => app !== null);
  return { id: '/', apps: format === 'light' ? [] : present, groups: [], dependencies: [], version };
}

/** The original group's version: the newest of its apps' (the plan's own when it had none). */
function originalVersion(plan: DeploymentStartedData): string {
  const versions = Object.values(plan.original).flatMap((app) => (app ? [app.version] : []));
  return versions.length > 0 ? versions.sort().at(-1)! : plan.version;
}
