import { CommandHandler } from '@nestjs/cqrs';
import { SequencedCommand, SequencedHandler } from './sequenced-command';

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

@CommandHandler(CreateAppCommand)
export class CreateAppHandler extends SequencedHandler<CreateAppCommand> {}
@CommandHandler(UpdateAppCommand)
export class UpdateAppHandler extends SequencedHandler<UpdateAppCommand> {}
@CommandHandler(DeleteAppCommand)
export class DeleteAppHandler extends SequencedHandler<DeleteAppCommand> {}
@CommandHandler(RestartAppCommand)
export class RestartAppHandler extends SequencedHandler<RestartAppCommand> {}
@CommandHandler(CancelDeploymentCommand)
export class CancelDeploymentHandler extends SequencedHandler<CancelDeploymentCommand> {}
