import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * One value of a query parameter that is not repeatable: the first when the client repeats it
 * (`?force=true&force=false`), as Marathon's JAX-RS `@QueryParam` reads it. `@Query('name')` would
 * hand the handler an array typed as a string (a 500 at its first string method).
 */
export const QueryValue = createParamDecorator((name: string, context: ExecutionContext): string | undefined =>
  firstValue(
    (context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown> | undefined)?.[name],
  ),
);

/** The first value of a query parameter that may have been repeated. */
export function firstValue(raw: unknown): string | undefined {
  const first = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  return typeof first === 'string' ? first : undefined;
}
