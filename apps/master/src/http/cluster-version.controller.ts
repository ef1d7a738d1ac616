import { actorOf } from '../auth/principal';
import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommandRejected } from '@cairn/domain';
import { EVENT_FORMAT_LEVEL } from '@cairn/events';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';
import { RaiseClusterVersionCommand } from '../commands';
import { CAIRN_VERSION } from '../version';
import { requestOrigin } from './request-origin';
import { withOffset } from './write-reply';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson, ApiJsonBody } from './openapi/decorators';

/**
 * The cluster version (docs/operations.md, "Upgrades"): the event format level every master of the
 * cluster reads, raised by an operator once every master runs a release that reads it. A standby
 * forwards the POST to the leader like every write; the leader refuses a level it does not read.
 */
@ApiTags('cairn')
@Controller('v1/cluster/version')
export class ClusterVersionController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly commands: CommandBus,
  ) {}

  /** The cluster's version, and the highest level this master reads (each master answers for itself). */
  @ApiOperation({ summary: "The cluster's version and the highest event format level this master reads" })
  @ApiJson(200, 'ClusterVersion', 'The versions')
  @Get()
  version() {
    this.runtime.assertReadable();
    return this.view();
  }

  /** `{"version": n}`, or no body: raise to the level this leader reads. 200 with the new version. */
  @ApiOperation({
    summary: 'Raise the cluster version (default: the level this leader reads) once every master reads it',
  })
  @ApiJsonBody(
    {
      type: 'object',
      properties: { version: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
      additionalProperties: false,
    },
    'The level (no body: the level this leader reads)',
    false,
  )
  @ApiJson(200, 'ClusterVersion', 'The version now (`changed`: whether this raised it)')
  @ApiErrors(409, 422)
  @Post()
  @HttpCode(200)
  async raise(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown) {
    const version = requestedVersion(body);
    const outcome: CommandOutcome = await this.commands.execute(
      new RaiseClusterVersionCommand(
        { kind: 'RaiseClusterVersion', version, instance: this.runtime.instance },
        actorOf(request),
        requestOrigin(request),
      ),
    );
    withOffset(reply, outcome);
    return { ...this.view(), changed: outcome.events.length > 0 };
  }

  private view() {
    return {
      clusterVersion: this.runtime.projection.state.clusterVersion,
      formatLevel: EVENT_FORMAT_LEVEL,
      release: CAIRN_VERSION,
      instance: this.runtime.instance,
    };
  }
}

function requestedVersion(body: unknown): number {
  if (body === undefined || body === null || body === '') return EVENT_FORMAT_LEVEL;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new CommandRejected('invalid', 'the body must be a JSON object: {"version": <level>}');
  }
  const { version, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new CommandRejected('invalid', `unknown field(s): ${unknown.join(', ')}`);
  if (version === undefined) return EVENT_FORMAT_LEVEL;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new CommandRejected('invalid', `version must be a positive integer, got ${JSON.stringify(version)}`);
  }
  return version;
}
