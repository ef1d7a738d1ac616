import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MasterMetrics } from './master-metrics';

/**
 * Times every REST request by its route's pattern (`/v2/apps/*`, never the raw URL, which would
 * make a series per app id), method and status. Unmatched URLs (404s) share one `unmatched` route.
 */
export function useRequestMetrics(app: NestFastifyApplication, metrics: MasterMetrics): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
