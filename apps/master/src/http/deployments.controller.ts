import { actorOf } from '../auth/principal';
import { Controller, Delete, Get, Param, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { bucketsOf, groupTasksByApp, type ClusterState, type DeploymentRecord } from '@cairn/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CancelDeploymentCommand } from '../commands';
import { MasterRuntime } from '../core/master-runtime';
import { deploymentResult, withDeploymentHeaders } from './write-reply';
import { deploymentInfo } from './deployment.view';
import { parseBoolean, requestOrigin } from './request-origin';
import { DryRunner } from '../dry-run/dry-runner';
import { answerDryRun, isDryRun } from './dry-run-reply';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson, ApiQueryParam, ApiWriteFlags, WRITE_HEADERS, WRITE_RESULT } from './openapi/decorators';
import { QueryValue } from './query-value';

/** Marathon's /v2/deployments: the deployments in progress, and cancel / roll back. */
@ApiTags('marathon')
@Controller('v2/deployments')
export class DeploymentsController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly commands: CommandBus,
    private readonly dryRunner: DryRunner,
  ) {}

  @ApiOperation({ summary: 'The deployments in progress' })
  @ApiJson(200, { type: 'array', items: { $ref: '#/components/schemas/Deployment' } }, 'The deployments')
  @Get()
  list() {
    this.runtime.assertReadable();
    const state = this.runtime.projection.state;
    return [...state.deployments.values()]
      .sort((a, b) => (a.version === b.version ? 0 : a.version < b.version ? -1 : 1))
      .map((d) => deploymentInfo(d, state));
  }

  /**
   * `force=false` (Marathon's default): a new forced deployment reverts this one's changes (200,
   * its deploymentResult). `force=true`: it just stops where it is (202, no body).
   */
  @ApiOperation({ summary: 'Cancel a deployment: roll back (default), or `force=true` to stop where it stands (202)' })
  @ApiQueryParam('force', 'Stop where it stands, no rollback', { type: 'boolean' })
  @ApiWriteFlags({ force: false })
  @ApiJson(200, WRITE_RESULT, 'The rollback deployment (or the dry run)', WRITE_HEADERS)
  @ApiResponse({ status: 202, description: 'Stopped (`force=true`)' })
  @ApiErrors(403, 404, 409)
  @Delete(':id')
  async cancel(
    @Param('id') deploymentId: string,
    @QueryValue('force') force: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const stop = parseBoolean(force, false);
    const command = new CancelDeploymentCommand(
      { kind: 'CancelDeployment', deploymentId, rollback: !stop },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    if (stop) {
      reply.status(202);
      return undefined;
    }
    return deploymentResult(outcome, outcome.events.find((e) => e.type === 'DeploymentStarted')?.at ?? null);
  }
}

/** What each current action waits for (Cairn's extra, served under /v1). */
export function deploymentProgress(deployment: DeploymentRecord, state: ClusterState): Record<string, unknown>[] {
  const tasksByApp = groupTasksByApp(state);
  return (deployment.steps[deployment.currentStep]?.actions ?? []).map((action) => {
    const buckets = bucketsOf(state, action, tasksByApp);
    return {
      action: action.action,
      app: action.app,
      waitingFor: buckets.waitingFor,
      launchNow: buckets.launch,
      killNow: buckets.kill.map((t) => t.taskId),
      queueReasons: state.queueReasons.get(action.app) ?? [],
    };
  });
}
