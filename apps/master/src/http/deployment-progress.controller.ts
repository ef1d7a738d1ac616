import { Controller, Get, Param } from '@nestjs/common';
import { CommandRejected } from '@cairn/domain';
import { MasterRuntime } from '../core/master-runtime';
import { deploymentInfo } from './deployment.view';
import { deploymentProgress } from './deployments.controller';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson } from './openapi/decorators';

/**
 * Cairn's own view of a deployment (/v1): Marathon's fields, the request that started it, and,
 * per current action, what it waits for now (the reconciler's buckets and the queue's reasons).
 */
@ApiTags('cairn')
@Controller('v1/deployments')
export class DeploymentProgressController {
  constructor(private readonly runtime: MasterRuntime) {}

  @ApiOperation({ summary: 'The deployments in progress, each with the request behind it and what it waits for' })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: { deployments: { type: 'array', items: { $ref: '#/components/schemas/DeploymentProgress' } } },
      required: ['deployments'],
    },
    'The deployments',
  )
  @Get()
  list() {
    this.runtime.assertReadable();
    const state = this.runtime.projection.state;
    return { deployments: [...state.deployments.values()].map((d) => this.describe(d.deploymentId)) };
  }

  @ApiOperation({ summary: 'One deployment in progress and what it waits for' })
  @ApiJson(200, 'DeploymentProgress', 'The deployment')
  @ApiErrors(404)
  @Get(':id')
  one(@Param('id') id: string) {
    this.runtime.assertReadable();
    return this.describe(id);
  }

  private describe(id: string) {
    const state = this.runtime.projection.state;
    const deployment = state.deployments.get(id);
    if (!deployment) throw new CommandRejected('not-found', `DeploymentPlan ${id} does not exist`);
    return {
      ...deploymentInfo(deployment, state),
      request: deployment.request,
      progress: deploymentProgress(deployment, state),
    };
  }
}
