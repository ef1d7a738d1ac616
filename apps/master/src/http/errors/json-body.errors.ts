/**
 * Request bodies that are not JSON, raised by `useMarathonBodyParsing`. Fastify's own JSON
 * parser drops the parser's message; these keep it, so a client learns where its JSON broke,
 * as Marathon tells it (`{"message": "Invalid JSON", "details": "<parser message>"}`).
 *
 * Their `name` is deliberately not `FastifyError` or `SyntaxError`: Nest would rewrap those
 * into a plain HttpException before the exception filter sees them.
 */
export class InvalidJsonBodyError extends Error {
  readonly statusCode = 400;

  constructor(readonly parserMessage: string) {
    super(`request body is not valid JSON: ${parserMessage}`);
    this.name = new.target.name;
  }
}

/** A JSON content type with an empty body. */
export class EmptyJsonBodyError extends Error {
  readonly statusCode = 400;

  constructor() {
    super('request body is empty but its content type is application/json');
    this.name = new.target.name;
  }
}
