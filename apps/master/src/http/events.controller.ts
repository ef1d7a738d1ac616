import { BoundedOutput } from './bounded-output';
import { BadRequestException, Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  EventQueryError,
  isEmptyFilter,
  matchesFilter,
  parseEventFilter,
  parseLogPosition,
  type CairnEvent,
  type EventFilter,
  type RecordedEvent,
} from '@cairn/events';
import { followEvents, readEvents } from '../core/event-stream';
import { MasterRuntime } from '../core/master-runtime';
import { firstOffsetAtOrAfter } from '../replay/log-search';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiQueryParam, LOG_POSITION, QUERY_COUNT } from './openapi/decorators';
import { QueryValue } from './query-value';

/** Pages are bounded so one request cannot pull the whole log into memory. */
export const EVENTS_PAGE_MAX = 1000;

/**
 * Offsets one filtered page reads at most: a filter that matches rarely answers a page with few or
 * no events and `next` where it stopped, rather than reading the whole log in one request.
 */
export const EVENTS_FILTER_SCAN_MAX = 20_000;

/**
 * Cairn's /v1/events: the log itself, decoded. A page (`from`, `to`, `limit`) or, with
 * `follow=true`, an NDJSON stream of every event from `from` on until the client goes away.
 */
@ApiTags('cairn')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly runtime: MasterRuntime) {}

  @ApiOperation({
    summary: 'The log, decoded: a page of events, or with `follow=true` an NDJSON stream that does not end',
  })
  @ApiQueryParam(
    'from',
    'Where to start: an offset, or a time (the first event at or after it); default 0',
    LOG_POSITION,
  )
  @ApiQueryParam('to', 'Offset to stop before (default: the end)', QUERY_COUNT)
  @ApiQueryParam('limit', 'Events per page (at most 1000)', QUERY_COUNT)
  @ApiQueryParam('follow', '`true`: stream every event from `from` on, one JSON per line, until the client goes away', {
    type: 'boolean',
  })
  @ApiQueryParam('type', 'Only events of these types (repeatable, comma-separated)')
  @ApiQueryParam('app', 'Only events about this app (repeatable)')
  @ApiQueryParam('task', 'Only events about this task (repeatable)')
  @ApiQueryParam('agent', 'Only events about this agent (repeatable)')
  @ApiResponse({
    status: 200,
    description: 'A page (`next`: where the next page starts; `end`: the log end), or the stream',
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            events: { type: 'array', items: { $ref: '#/components/schemas/RecordedEvent' } },
            next: { type: 'integer' },
            end: { type: 'integer' },
          },
          required: ['events', 'next', 'end'],
        },
      },
      'application/x-ndjson': { schema: { type: 'string' } },
    },
  })
  @ApiErrors(400)
  @Get()
  async events(
    @QueryValue('from') fromRaw: string | undefined,
    @QueryValue('to') toRaw: string | undefined,
    @QueryValue('limit') limitRaw: string | undefined,
    @QueryValue('follow') followRaw: string | undefined,
    @Query('type') type: string | string[] | undefined,
    @Query('app') app: string | string[] | undefined,
    @Query('task') task: string | string[] | undefined,
    @Query('agent') agent: string | string[] | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.runtime.assertReadable();
    let filter: EventFilter;
    let from: number;
    try {
      filter = parseEventFilter({ type, app, task, agent });
      from = await this.startOffset(fromRaw);
    } catch (error) {
      if (error instanceof EventQueryError) throw new BadRequestException(error.message);
      throw error;
    }
    if (followRaw?.toLowerCase() === 'true') return this.follow(from, filter, request, reply);

    const limit = Math.min(parseOffset('limit', limitRaw, EVENTS_PAGE_MAX), EVENTS_PAGE_MAX);
    const end = await this.runtime.log.endOffset();
    // A page reads no further than `limit` events can reach: each takes at most two offsets (its
    // own and, on Kafka, its transaction's commit marker). A short read is fetched in small pieces.
    // A filtered page reads a bounded stretch of the log instead.
    const reach = isEmptyFilter(filter) ? 2 * limit + 1 : EVENTS_FILTER_SCAN_MAX;
    const to = Math.min(parseOffset('to', toRaw, end), end, from + reach);
    const events = [];
    const passes = this.matcher(filter);
    let next = from;
    if (from < to && limit > 0) {
      outer: for await (const batch of readEvents(this.runtime.log, { from, to })) {
        for (const event of batch) {
          next = event.offset + 1;
          if (!passes(event)) continue;
          events.push(event);
          if (events.length >= limit) break outer;
        }
      }
      if (events.length < limit) next = to;
    }
    void reply.send({ events, next: Math.max(next, from), end });
  }

  /** `from`: an offset, or a time (the first event stamped at or after it). Default: the first event. */
  private async startOffset(raw: string | undefined): Promise<number> {
    if (raw === undefined || raw === '') return 0;
    const position = parseLogPosition(raw, 'from');
    return 'offset' in position ? position.offset : firstOffsetAtOrAfter(this.runtime.log, position.timeMs);
  }

  private matcher(filter: EventFilter): (event: RecordedEvent<CairnEvent>) => boolean {
    if (isEmptyFilter(filter)) return () => true;
    const { projection } = this.runtime;
    // A task's app: the subject index knows every task launched since this master started (from
    // its snapshot); the state knows the live ones.
    const appOfTask = (taskId: string) =>
      projection.subjects?.appOfTask(taskId) ?? projection.state.tasks.get(taskId)?.appId;
    return (event) => matchesFilter(filter, event, appOfTask);
  }

  private async follow(from: number, filter: EventFilter, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const passes = this.matcher(filter);
    const abort = new AbortController();
    request.raw.on('close', () => abort.abort());
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache' });
    reply.raw.flushHeaders();
    // A client that reads slower than the log grows is held to a bounded buffer: the loop waits for
    // it (the backlog stays in the log), and one that takes nothing for the grace period is closed
    // cleanly; it resumes with from=<the last offset it got + 1>, losing nothing.
    const output = new BoundedOutput(reply.raw, false);
    try {
      for await (const batch of followEvents(this.runtime.log, from, abort.signal)) {
        const lines = batch.filter(passes).map((event) => JSON.stringify(event) + '\n');
        if (lines.length > 0 && !(await output.write(lines.join('')))) {
          abort.abort();
          break;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) await output.write(JSON.stringify({ error: (error as Error).message }) + '\n');
    } finally {
      output.close();
    }
  }
}

function parseOffset(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new BadRequestException(`query parameter '${name}' must be a non-negative integer, got '${raw}'`);
  }
  return n;
}
