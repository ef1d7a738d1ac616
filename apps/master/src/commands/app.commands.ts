import { SequencedCommand } from './sequenced-command';

/** POST /v2/apps: a validated, id-normalised Marathon AppDefinition body. */
export class CreateAppCommand extends SequencedCommand<'CreateApp'> {}
/** PUT /v2/apps/{id}: partial (Marathon's default) or full update; creates a missing app. */
export class UpdateAppCommand extends SequencedCommand<'UpdateApp'> {}
/** PUT /v2/apps and PATCH /v2/apps: many apps in one deployment. */
export class UpdateAppsCommand extends SequencedCommand<'UpdateApps'> {}
/** DELETE /v2/apps/{id}. */
export class DeleteAppCommand extends SequencedCommand<'DeleteApp'> {}
/** POST /v2/apps/{id}/restart. */
export class RestartAppCommand extends SequencedCommand<'RestartApp'> {}
/** DELETE /v2/deployments/{id}. */
export class CancelDeploymentCommand extends SequencedCommand<'CancelDeployment'> {}
/** DELETE /v2/apps/{id}/tasks[/{taskId}], POST /v2/tasks/delete. */
export class KillTasksCommand extends SequencedCommand<'KillTasks'> {}
/** DELETE /v2/queue/{id}/delay. */
export class ResetLaunchDelayCommand extends SequencedCommand<'ResetLaunchDelay'> {}
/** POST/PUT/PATCH /v2/groups[/{id}]: a group and its apps in one deployment. */
export class ChangeGroupCommand extends SequencedCommand<'ChangeGroup'> {}
/** PUT /v2/groups/{id} with `scaleBy`. */
export class ScaleGroupCommand extends SequencedCommand<'ScaleGroup'> {}
/** DELETE /v2/groups[/{id}]. */
export class DeleteGroupCommand extends SequencedCommand<'DeleteGroup'> {}
