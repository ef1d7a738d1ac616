import { BadRequestException, Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { followEvents, readEvents } from '../core/event-stream';
import { MasterRuntime } from '../core/master-runtime';

/** Pages are bounded so one request cannot pull the whole log into memory. */
export const EVENTS_PAGE_MAX = 1000;

/**
 * Cairn's /v1/events: the log itself, decoded. A page (`from`, `to`, `limit`) or, with
 * `follow=true`, an NDJSON stream of every event from `from` on until the client goes away.
 */
@Controller('v1/events')
export class EventsController {
  constructor(private readonly runtime: MasterRuntime) {}

  @Get()
  async events(
    @Query('from') fromRaw: string | undefined,
    @Query('to') toRaw: string | undefined,
    @Query('limit') limitRaw: string | undefined,
    @Query('follow') followRaw: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.runtime.assertReadable();
    const from = parseOffset('from', fromRaw, 0);
    if (followRaw?.toLowerCase() === 'true') return this.follow(from, request, reply);

    const limit = Math.min(parseOffset('limit', limitRaw, EVENTS_PAGE_MAX), EVENTS_PAGE_MAX);
    const end = await this.runtime.log.endOffset();
    // A page reads no further than `limit` events can reach: each takes at most two offsets (its
    // own and, on Kafka, its transaction's commit marker). A short read is fetched in small pieces.
    const to = Math.min(parseOffset('to', toRaw, end), end, from + 2 * limit + 1);
    const events = [];
    let next = from;
    if (from < to && limit > 0) {
      outer: for await (const batch of readEvents(this.runtime.log, { from, to })) {
        for (const event of batch) {
          events.push(event);
          next = event.offset + 1;
          if (events.length >= limit) break outer;
        }
      }
      if (events.length < limit) next = to;
    }
    void reply.send({ events, next: Math.max(next, from), end });
  }

  private async follow(from: number, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const abort = new AbortController();
    request.raw.on('close', () => abort.abort());
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache' });
    reply.raw.flushHeaders();
    try {
      for await (const batch of followEvents(this.runtime.log, from, abort.signal)) {
        reply.raw.write(batch.map((event) => JSON.stringify(event) + '\n').join(''));
      }
    } catch (error) {
      if (!abort.signal.aborted) reply.raw.write(JSON.stringify({ error: (error as Error).message }) + '\n');
    } finally {
      reply.raw.end();
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
