import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toMarathonErrorResponse } from './marathon-error-response';

/**
 * The one exception filter of the master's HTTP API: every error leaves in Marathon's shape
 * (see toMarathonErrorResponse). Register it globally (`app.useGlobalFilters(new
 * MarathonExceptionFilter())`) so it also covers Nest's unknown-route 404 and Fastify's
 * body-parser errors, which never reach a controller.
 */
@Catch()
export class MarathonExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(MarathonExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = toMarathonErrorResponse(exception);
    if (response.unexpected) this.logger.error(describe(exception), stackOf(exception));
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // A streaming reply (the events follow endpoint) may already be under way: nothing to send then.
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(response.status).headers(response.headers).send(response.body);
  }
}

function describe(exception: unknown): string {
  if (exception instanceof Error) return `unhandled ${exception.name}: ${exception.message}`;
  return `unhandled non-Error exception: ${String(exception)}`;
}

function stackOf(exception: unknown): string | undefined {
  return exception instanceof Error ? exception.stack : undefined;
}
