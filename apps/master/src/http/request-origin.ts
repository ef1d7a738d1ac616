import type { RequestOrigin } from '@cairn/domain';
import type { FastifyRequest } from 'fastify';
import { firstValue } from './query-value';

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
export function parseBoolean(raw: string | string[] | undefined, fallback: boolean): boolean {
  const value = firstValue(raw);
  if (value === undefined || value === '') return fallback;
  return value.toLowerCase() === 'true';
}
