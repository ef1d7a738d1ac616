import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { EventQueryError, parseLogPosition } from '@cairn/events';
import { MasterRuntime } from '../core/master-runtime';
import { audit } from '../replay/audit';

/** Entries one audit answer holds at most (ask again with a later `since`). */
export const AUDIT_ENTRIES_MAX = 1000;

/** `GET /v1/audit?actor=&app=&since=` (Cairn's): who changed what, when and from where. */
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly runtime: MasterRuntime) {}

  @Get()
  async entries(
    @Query('actor') actor: string | undefined,
    @Query('app') app: string | undefined,
    @Query('since') since: string | undefined,
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
