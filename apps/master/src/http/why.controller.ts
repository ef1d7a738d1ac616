import { BadRequestException, Controller, Get, NotFoundException, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { EventQueryError } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import { MasterRuntime } from '../core/master-runtime';
import { Pacer } from '../core/pacing';
import { SubjectIndex } from '../core/subject-index';
import { explain, type WhyKind } from '../replay/why';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson, ApiRoutes, APP_ID_PARAMETER, doc } from './openapi/decorators';

/**
 * `GET /v1/{tasks|apps|deployments|agents}/{id}/why` (Cairn's): the causal chain behind an entity,
 * from the subject index kept beside the state. A master that started from a snapshot indexes the
 * log before it in the background; until that is done each request reads the whole log (in slices).
 */
@ApiTags('cairn')
@Controller('v1')
export class WhyController {
  constructor(private readonly runtime: MasterRuntime) {}

  @ApiOperation({ summary: 'Why a task exists, and how it ended: its causal chain from the log' })
  @ApiJson(200, 'Why', 'The chain')
  @ApiErrors(400, 404)
  @Get('tasks/:id/why')
  task(@Param('id') id: string) {
    return this.why('task', id);
  }

  @ApiOperation({ summary: 'Why a deployment started and what it did' })
  @ApiJson(200, 'Why', 'The chain')
  @ApiErrors(400, 404)
  @Get('deployments/:id/why')
  deployment(@Param('id') id: string) {
    return this.why('deployment', id);
  }

  @ApiOperation({ summary: "An agent's history" })
  @ApiJson(200, 'Why', 'The chain')
  @ApiErrors(400, 404)
  @Get('agents/:id/why')
  agent(@Param('id') id: string) {
    return this.why('agent', id);
  }

  /** App ids hold slashes: `/v1/apps/prod/web/why`. */
  @ApiRoutes({
    '/v1/apps/{appId}/why': {
      summary: 'Why an app is as it is: its changes and who made them, what blocks it now',
      parameters: [APP_ID_PARAMETER],
      responses: {
        200: doc.json('Why', 'The chain'),
        400: doc.error(400),
        404: doc.error(404),
      },
    },
  })
  @Get('apps/*')
  app(@Req() request: FastifyRequest) {
    const path = decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
    const match = path.match(/^(.+?)\/why\/?$/);
    if (!match) throw new NotFoundException(`Unknown path '${request.url}'`);
    return this.why('app', '/' + match[1].replace(/^\/+/, ''));
  }

  private async why(kind: WhyKind, id: string) {
    this.runtime.assertReadable();
    const { projection, log } = this.runtime;
    let index = projection.subjects!;
    const covers = index.coversFrom ?? projection.nextOffset;
    // Until the events before a snapshot start are indexed, an entity's older events are missing.
    if (covers > 0) index = await this.indexWholeLog();
    try {
      return await explain(kind, id, { log, index, state: projection.state });
    } catch (error) {
      if (error instanceof EventQueryError) {
        throw error.message.startsWith('no ')
          ? new NotFoundException(error.message)
          : new BadRequestException(error.message);
      }
      throw error;
    }
  }

  /** An index of the whole log, built by reading it (no fold), in slices. */
  private async indexWholeLog(): Promise<SubjectIndex> {
    const index = new SubjectIndex();
    const pacer = new Pacer();
    for await (const events of readEvents(this.runtime.log, { from: 0 })) {
      for (const event of events) index.observe(event);
      await pacer.turn();
    }
    return index;
  }
}
