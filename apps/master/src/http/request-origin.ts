import type { RequestOrigin } from '@cairn/domain';
import type { FastifyRequest } from 'fastify';

/** Who and where a user's command came from, recorded in the deployment it starts. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  return {
    remoteAddress: request.ip ?? null,
    method: request.method,
    path: request.url,
    requestId: String(request.id),
  };
}

/** JAX-RS parses booleans case-insensitively, so Python clients' `True` works too. */
export function parseBoolean(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  return raw.toLowerCase() === 'true';
}
