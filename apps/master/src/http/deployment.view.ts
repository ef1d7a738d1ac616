import type { ClusterState, DeploymentRecord } from '@cairn/domain';

/**
 * Marathon's DeploymentInfo with exactly the fields marathon-python's MarathonDeployment accepts
 * (notes §9). Current actions carry `action`, `app` and `readinessCheckResults` (empty: readiness
 * verdicts are shown per task, under the app's `readiness` embed).
 */
export function deploymentInfo(deployment: DeploymentRecord, _state: ClusterState): Record<string, unknown> {
  const current = deployment.steps[deployment.currentStep]?.actions ?? [];
  return {
    id: deployment.deploymentId,
    version: deployment.version,
    affectedApps: deployment.affectedApps,
    affectedPods: [],
    steps: deployment.steps.map((step) => ({
      actions: step.actions.map((action) => ({ action: action.action, app: action.app })),
    })),
    currentActions: current.map((action) => ({
      action: action.action,
      app: action.app,
      readinessCheckResults: [],
    })),
    currentStep: deployment.currentStep + 1,
    totalSteps: deployment.steps.length,
  };
}
