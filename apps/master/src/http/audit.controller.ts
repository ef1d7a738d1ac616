import { BadRequestException, Controller, Get } from '@nestjs/common';
import { EventQueryError, parseLogPosition } from '@cairn/events';
import { MasterRuntime } from '../core/master-runtime';
import { audit } from '../replay/audit';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson, ApiQueryParam, LOG_TIME } from './openapi/decorators';
import { QueryValue } from './query-value';

/** Entries one audit answer holds at most (ask again with a later `since`). */
export const AUDIT_ENTRIES_MAX = 1000;

/** `GET /v1/audit?actor=&app=&since=` (Cairn's): who changed what, when and from where. */
@ApiTags('cairn')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly runtime: MasterRuntime) {}

  @ApiOperation({
    summary: 'Who changed what, when and from where (at most 1000 entries; ask again with a later `since`)',
  })
  @ApiQueryParam('actor', 'Only this actor (a token name, `anonymous`, ...)')
  @ApiQueryParam('app', 'Only this app')
  @ApiQueryParam('since', 'A time (ISO 8601)', LOG_TIME)
  @ApiJson(
    200,
    {
      type: 'object',
      properties: { entries: { type: 'array', items: { type: 'object' } }, truncated: { type: 'boolean' } },
      required: ['entries', 'truncated'],
    },
    'The entries',
  )
  @ApiErrors(400)
  @Get()
  async entries(
    @QueryValue('actor') actor: string | undefined,
    @QueryValue('app') app: string | undefined,
    @QueryValue('since') since: string | undefined,
  ) {
    this.runtime.assertReadable();
    let sinceMs: number | undefined;
    try {
      if (since !== undefined && since !== '') {
        const position = parseLogPosition(since, 'since');
        if ('offset' in position) throw new EventQueryError(`'since' must be a time, got '${since}'`);
        sinceMs = position.timeMs;
      }
    } catch (error) {
      if (error instanceof EventQueryError) throw new BadRequestException(error.message);
      throw error;
    }
    const appId = app ? '/' + app.replace(/^\/+/, '').replace(/\/+$/, '') : undefined;
    const entries = await audit(
      this.runtime.log,
      { actor: actor || undefined, app: appId, sinceMs, limit: AUDIT_ENTRIES_MAX },
      { paced: true },
    );
    return { entries, truncated: entries.length >= AUDIT_ENTRIES_MAX };
  }
}
