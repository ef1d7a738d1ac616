import { BadRequestException, Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EventQueryError, parseLogPosition } from '@cairn/events';
import { clusterViewParts } from '../replay/cluster-view';
import { sendJsonInSlices } from './sliced-json';
import { History } from '../replay/history';
import { MasterRuntime } from '../core/master-runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson, ApiQueryParam, LOG_POSITION } from './openapi/decorators';
import { QueryValue } from './query-value';

/**
 * Time travel (Cairn's /v1): the cluster as it was at an offset or a time, and what changed between
 * two points, rebuilt from the nearest snapshot by the same projection runner, in slices (the
 * stall budget). Any master answers, standby or leader: the log is the same.
 */
@ApiTags('cairn')
@Controller('v1/state')
export class HistoryController {
  private readonly history: History;

  constructor(private readonly runtime: MasterRuntime) {
    this.history = new History(runtime.log, runtime.snapshots, { paced: true });
  }

  /**
   * `?at=OFFSET|TIME`: the state just after that offset, or at the last event stamped at or before
   * that time; without it, now. Streamed in slices: apps and tasks render item by item.
   */
  @ApiOperation({ summary: 'The cluster now, or as it was at an offset or a time (`at`)' })
  @ApiQueryParam('at', 'An offset, or a time (ISO 8601); default: now', LOG_POSITION)
  @ApiJson(200, 'ClusterView', 'The cluster')
  @ApiErrors(400)
  @Get()
  async state(@QueryValue('at') at: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    this.runtime.assertReadable();
    if (at === undefined || at === '') {
      const { projection } = this.runtime;
      // The hash's capture is taken now, and the view's lists are made from the same state before
      // anything else applies; their items are rendered as their turn comes (a read, not a
      // transaction, like /v2/tasks).
      const hashing = projection.hashInSlices();
      const parts = clusterViewParts(
        projection.state,
        { offset: projection.appliedOffset, at: projection.lastEventAt },
        '',
      );
      const { hash, offset } = await hashing;
      return sendJsonInSlices(reply, { ...parts, offset, hash });
    }
    const rebuilt = await this.answer(() => this.history.rebuild(parseLogPosition(at, 'at')));
    return sendJsonInSlices(reply, {
      ...clusterViewParts(rebuilt.state, rebuilt.point, rebuilt.hash),
      replay: rebuilt.replay,
    });
  }

  /** `?from=A&to=B` (offsets or times; `to` defaults to now): what changed, in words. */
  @ApiOperation({ summary: 'What changed between two points of the log, in words' })
  @ApiQueryParam('from', 'An offset, or a time (ISO 8601)', LOG_POSITION, true)
  @ApiQueryParam('to', 'An offset, or a time (ISO 8601); default: now', LOG_POSITION)
  @ApiJson(200, { type: 'object' }, 'The changes')
  @ApiErrors(400)
  @Get('diff')
  async diff(@QueryValue('from') from: string | undefined, @QueryValue('to') to: string | undefined) {
    this.runtime.assertReadable();
    if (from === undefined || from === '') throw new BadRequestException("query parameter 'from' is required");
    const target = to === undefined || to === '' ? null : to;
    return this.answer(() =>
      this.history.diff(
        parseLogPosition(from, 'from'),
        target === null ? { offset: this.runtime.projection.appliedOffset } : parseLogPosition(target, 'to'),
      ),
    );
  }

  private async answer<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof EventQueryError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
