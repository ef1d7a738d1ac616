import { BadRequestException, Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isoTime } from '@cairn/common';
import { followEvents, readEvents } from '../../core/event-stream';
import { MasterRuntime } from '../../core/master-runtime';
import { BoundedOutput } from '../bounded-output';
import type { PlanFormat } from './deployment-plan.view';
import { renderMarathonEvents } from './render';
import { RenderLookup } from './render-lookup';
import { acceptsEventStream, acceptsGzip, parseLastEventId, type ResumePoint, sseFrame } from './sse';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { QueryValue } from '../query-value';

/**
 * How far before a resume point a stream reads the log (rendering nothing) to learn the tasks and
 * deployments that ended since; the projection only knows those still there (docs/marathon-events.md).
 */
export const RESUME_WARM_UP_EVENTS = 10_000;

/** Frames of one log batch are written together, in pieces of about this many characters. */
const WRITE_CHUNK_BYTES = 64 * 1024;

/**
 * Marathon's event bus, `GET /v2/events` as server-sent events, rendered from the log: every frame
 * is a log event at an offset (its `id`), so a client that reconnects with Last-Event-ID gets the
 * rest exactly once, in log order, from any master that reads the same log.
 */
@ApiTags('marathon')
@Controller('v2/events')
export class MarathonEventsController {
  private readonly logger = new Logger('MarathonEvents');

  constructor(private readonly runtime: MasterRuntime) {}

  @ApiOperation({
    summary:
      "Marathon's event bus: server-sent events rendered from the log, resumable with `Last-Event-ID` (a stream that does not end)",
  })
  @ApiQuery({
    name: 'event_type',
    required: false,
    description: 'Only these event types (repeatable)',
    schema: { type: 'string' },
  })
  @ApiQuery({
    name: 'plan-format',
    required: false,
    description: '`light`: deployment plans without app definitions',
    schema: { type: 'string', enum: ['light', 'full'] },
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event' })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'The stream',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 405,
    description: 'Not asked for `text/event-stream`',
    content: { 'application/json': { schema: ref('Error') } },
  })
  @ApiErrors(400)
  @Get()
  async events(
    @Query('event_type') eventTypeRaw: string | string[] | undefined,
    @QueryValue('plan-format') planFormatRaw: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!acceptsEventStream(request.headers.accept)) {
      void reply
        .code(405)
        .send({ message: "GET /v2/events streams server-sent events: send 'Accept: text/event-stream'" });
      return;
    }
    this.runtime.assertReadable();
    let resume: ResumePoint | null;
    try {
      resume = parseLastEventId(header(request.headers['last-event-id']));
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    const types = [eventTypeRaw ?? []].flat().filter((t) => t !== '');
    const planFormat: PlanFormat = planFormatRaw === 'light' ? 'light' : 'full';
    await this.stream(request, reply, resume, new Set(types), planFormat);
  }

  private async stream(
    request: FastifyRequest,
    reply: FastifyReply,
    resume: ResumePoint | null,
    types: ReadonlySet<string>,
    planFormat: PlanFormat,
  ): Promise<void> {
    // The projection's state is the log up to `applied`: seed the lookup and fix the start in one step.
    const applied = this.runtime.projection.nextOffset;
    const lookup = RenderLookup.fromState(this.runtime.projection.state);
    // A Last-Event-ID past the log's end is not from this log: start at the end.
    const start = resume ? Math.min(resume.from, Math.max(applied, await this.runtime.log.endOffset())) : applied;
    const skipThrough = resume && resume.from === start ? resume.skipThrough : null;

    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    const gzip = acceptsGzip(header(request.headers['accept-encoding']));
    reply.hijack();
    reply.raw.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...(gzip ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : {}),
    });
    // Headers go now: a client sees the stream open (its start fixed) before the first event.
    reply.raw.flushHeaders();
    const output = new BoundedOutput(reply.raw, gzip);
    const wanted = (eventType: string) => types.size === 0 || types.has(eventType);
    try {
      // Not in the log: sent to this stream alone, without an id (the client's Last-Event-ID stays).
      if (wanted('event_stream_attached')) {
        const attached = {
          eventType: 'event_stream_attached' as const,
          timestamp: isoTime(this.runtime.clock.now()),
          remoteAddress: request.ip,
        };
        await output.write(sseFrame(null, attached));
      }
      await this.warmUp(lookup, applied, start, abort.signal);
      for await (const batch of followEvents(this.runtime.log, start, abort.signal)) {
        // One write per log batch (or per WRITE_CHUNK_BYTES of it): a write per event costs a syscall each.
        let pending = '';
        for (const event of batch) {
          const rendered = renderMarathonEvents(event, lookup, { planFormat });
          lookup.observe(event);
          rendered.forEach((marathon, index) => {
            const skipped = event.offset === start && skipThrough !== null && index <= skipThrough;
            if (skipped || !wanted(marathon.eventType)) return;
            pending += sseFrame({ offset: event.offset, index: rendered.length > 1 ? index : null }, marathon);
          });
          if (pending.length >= WRITE_CHUNK_BYTES) {
            if (!(await this.send(output, pending, request, event.offset))) return abort.abort();
            pending = '';
          }
        }
        if (pending !== '' && !(await this.send(output, pending, request, batch[batch.length - 1].offset))) {
          return abort.abort();
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) this.logger.warn(`event stream for ${request.ip} ended: ${(error as Error).message}`);
    } finally {
      output.close();
    }
  }

  /** Writes frames; false when the output closed the stream on a slow client. */
  private async send(output: BoundedOutput, text: string, request: FastifyRequest, offset: number): Promise<boolean> {
    if (await output.write(text)) return true;
    this.logger.warn(`closing the event stream of slow consumer ${request.ip} at offset ${offset}`);
    return false;
  }

  /**
   * Moves a resumed stream's lookup to `start`: the projection is at `applied` (it knows the tasks
   * alive now), the window before `start` adds those that ended in between and puts health
   * verdicts back to what they were at `start`.
   */
  private async warmUp(lookup: RenderLookup, applied: number, start: number, signal: AbortSignal): Promise<void> {
    const from = Math.min(applied, Math.max(0, start - RESUME_WARM_UP_EVENTS));
    if (from >= start) return;
    for await (const batch of readEvents(this.runtime.log, { from, to: start })) {
      if (signal.aborted) return;
      for (const event of batch) lookup.observe(event);
    }
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
