import { CommandHandler } from '@nestjs/cqrs';
import { SequencedHandler } from './sequenced-handler';
import {
  CreateAppCommand,
  UpdateAppCommand,
  DeleteAppCommand,
  RestartAppCommand,
  CancelDeploymentCommand,
  UpdateAppsCommand,
  KillTasksCommand,
  ResetLaunchDelayCommand,
  ChangeGroupCommand,
  ScaleGroupCommand,
  DeleteGroupCommand,
} from './app.commands';

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
@CommandHandler(UpdateAppsCommand)
export class UpdateAppsHandler extends SequencedHandler<UpdateAppsCommand> {}
@CommandHandler(KillTasksCommand)
export class KillTasksHandler extends SequencedHandler<KillTasksCommand> {}
@CommandHandler(ResetLaunchDelayCommand)
export class ResetLaunchDelayHandler extends SequencedHandler<ResetLaunchDelayCommand> {}
@CommandHandler(ChangeGroupCommand)
export class ChangeGroupHandler extends SequencedHandler<ChangeGroupCommand> {}
@CommandHandler(ScaleGroupCommand)
export class ScaleGroupHandler extends SequencedHandler<ScaleGroupCommand> {}
@CommandHandler(DeleteGroupCommand)
export class DeleteGroupHandler extends SequencedHandler<DeleteGroupCommand> {}
