import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { InvalidJsonBodyError } from './json-body.errors';

/**
 * Makes request bodies JSON-only, as Marathon's resources are (`@Consumes(application/json)`):
 *
 * - an empty body with a JSON content type is no body (`undefined`), as Marathon takes it;
 * - a malformed JSON body is answered with the parser's own message
 *   (`{"message": "Invalid JSON", "details": "Unexpected token } in JSON at position 9"}`)
 *   instead of Fastify's generic one; parsing itself stays Fastify's secure parser (a
 *   `__proto__` or `constructor` key is refused, as Nest configures it);
 * - any other media type, `text/plain` included (what `fetch` sends for a string body), is 415
 *   Unsupported Media Type instead of reaching a controller as a string. Nest's
 *   `application/x-www-form-urlencoded` parser is not registered either.
 *
 * Call before `listen`/`init`.
 */
export function useMarathonBodyParsing(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig as {
    onProtoPoisoning?: 'error' | 'remove' | 'ignore';
    onConstructorPoisoning?: 'error' | 'remove' | 'ignore';
  };
  const parseSecurely = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.removeContentTypeParser('text/plain');
  app.useBodyParser('application/json', {}, (request, body, done) => {
    if (body.length === 0) {
      // Marathon clients send `Content-Type: application/json` on every request, DELETE and
      // POST /restart included: no body is no body. Routes that need one refuse it (requireJsonBody).
      done(null, undefined);
      return;
    }
    // Fastify's default parser takes the raw body as a Buffer here, as in Nest's own JSON parser.
    const parse = parseSecurely as unknown as (req: FastifyRequest, raw: Buffer, cb: typeof done) => void;
    parse(request as FastifyRequest, body, (error, value) => {
      if (error) done(new InvalidJsonBodyError(parserMessage(body)), undefined);
      else done(null, value);
    });
  });
}

/** Why `body` is not acceptable JSON, in the words of the JavaScript parser where it has some. */
function parserMessage(body: Buffer): string {
  try {
    JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return 'the body contains a forbidden "__proto__" or "constructor" key';
}
