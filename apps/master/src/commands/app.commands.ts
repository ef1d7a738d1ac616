import { SequencedCommand } from './sequenced-command';

/** POST /v2/apps: a validated, id-normalised Marathon AppDefinition body. */
export class CreateAppCommand extends SequencedCommand<'CreateApp'> {}
/** PUT /v2/apps/{id}: partial (Marathon's default) or full update; creates a missing app. */
export class UpdateAppCommand extends SequencedCommand<'UpdateApp'> {}
/** DELETE /v2/apps/{id}. */
export class DeleteAppCommand extends SequencedCommand<'DeleteApp'> {}
/** POST /v2/apps/{id}/restart. */
export class RestartAppCommand extends SequencedCommand<'RestartApp'> {}
/** DELETE /v2/deployments/{id}. */
export class CancelDeploymentCommand extends SequencedCommand<'CancelDeployment'> {}
