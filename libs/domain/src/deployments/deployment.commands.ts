import type { CommandMeta } from '../command';

/** POST /v2/apps/{id}/restart: a rolling restart with the same spec (a new config version). */
export interface RestartApp {
  readonly kind: 'RestartApp';
  readonly appId: string;
  /** Cancel the deployments that lock the app instead of refusing (409). */
  readonly force: boolean;
  readonly meta: CommandMeta;
}

/**
 * DELETE /v2/deployments/{id}: `rollback` (Marathon's default) cancels it and starts a forced
 * deployment back to each affected app's original; without it the deployment just stops where it is.
 */
export interface CancelDeployment {
  readonly kind: 'CancelDeployment';
  readonly deploymentId: string;
  readonly rollback: boolean;
  readonly meta: CommandMeta;
}

export type DeploymentCommand = RestartApp | CancelDeployment;
