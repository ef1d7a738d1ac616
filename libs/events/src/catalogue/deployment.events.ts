import { z } from 'zod';
import { appDefinitionSchema } from './app-definition.schema';

/** Marathon's deployment actions (DeploymentPlan's steps hold these, one per app). */
export const deploymentActionSchema = z.object({
  action: z.enum(['StartApplication', 'ScaleApplication', 'RestartApplication', 'StopApplication']),
  app: z.string().startsWith('/'),
});

export const deploymentStepSchema = z.object({ actions: z.array(deploymentActionSchema) });

/** The HTTP request that caused a deployment, recorded when it was decided (who, from where, which call). */
export const requestOriginSchema = z.object({
  actor: z.string().min(1),
  remoteAddress: z.string().nullable(),
  method: z.string().min(1),
  path: z.string().min(1),
  requestId: z.string().min(1),
});

/**
 * A plan of steps, run one after another (the actions of one step together). `original` and
 * `target` hold each affected app before and after (null: absent), so a rollback needs nothing
 * but this event. Key: the deployment id.
 */
export const deploymentStartedV1 = z.object({
  deploymentId: z.string().min(1),
  /** When the plan was made (ISO-8601): Marathon's deployment `version`. */
  version: z.string(),
  affectedApps: z.array(z.string().startsWith('/')),
  steps: z.array(deploymentStepSchema),
  original: z.record(z.string(), appDefinitionSchema.nullable()),
  target: z.record(z.string(), appDefinitionSchema.nullable()),
  request: requestOriginSchema.nullable(),
});

/** Every action of a step is done (1-based `step`, as Marathon's `currentStep`). Key: the deployment id. */
export const deploymentStepFinishedV1 = z.object({
  deploymentId: z.string().min(1),
  step: z.number().int().min(1),
});

/** Every step is done. Key: the deployment id. */
export const deploymentFinishedV1 = z.object({ deploymentId: z.string().min(1) });

/**
 * The deployment stops where it is: superseded by a forced one, rolled back, or stopped on
 * purpose. `by` names the deployment that replaces it, if any. Key: the deployment id.
 */
export const deploymentCancelledV1 = z.object({
  deploymentId: z.string().min(1),
  reason: z.string().min(1),
  by: z.string().nullable(),
});

/** A rolling restart with the same spec: a new config version. Key: the app id. */
export const appRestartRequestedV1 = z.object({
  appId: z.string().startsWith('/'),
  version: z.string(),
});
