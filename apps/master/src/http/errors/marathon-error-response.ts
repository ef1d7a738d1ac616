import { HttpException, HttpStatus } from '@nestjs/common';
import { CommandRejected } from '@cairn/domain';
import { errorCodes } from 'fastify';
import { EmptyJsonBodyError, InvalidJsonBodyError } from './json-body.errors';
import { MarathonValidationError } from './marathon-validation.error';
import { UnavailableError } from '../../core/errors';

/** What the exception filter sends for one exception. */
export interface MarathonErrorResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
  /** A server fault (not the client's doing): the filter logs it. */
  readonly unexpected: boolean;
}

export const ErrorMessages = {
  /** Malformed JSON: 400 with the parser's message as `details` (a string here). */
  invalidJson: 'Invalid JSON',
  /** A body that cannot be mapped at all; Marathon's answer to an empty JSON body. */
  notJsonMappable: 'Please specify data in JSON format',
  emptyBody: 'the request body is empty',
  internal: 'internal error',
} as const;

// The messages of Fastify's own JSON-parser errors. Nest rewraps those into plain
// HttpExceptions (losing the code) before any filter runs, so the message is what is left.
const FASTIFY_INVALID_JSON = new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY().message;
const FASTIFY_EMPTY_JSON = new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY().message;

const NO_HEADERS: Readonly<Record<string, string>> = {};

/**
 * Maps anything a request can throw to Marathon's error shapes (notes §1.1, §2.4). Pure, so
 * every branch is unit-testable; MarathonExceptionFilter only sends the result.
 */
export function toMarathonErrorResponse(exception: unknown): MarathonErrorResponse {
  if (exception instanceof MarathonValidationError) {
    return expected(HttpStatus.UNPROCESSABLE_ENTITY, { message: exception.message, details: exception.details });
  }
  if (exception instanceof CommandRejected) return commandRejected(exception);
  if (exception instanceof UnavailableError) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: { ...exception.extra, message: exception.message },
      headers: { 'Retry-After': String(exception.retryAfterSeconds) },
      unexpected: false,
    };
  }
  if (exception instanceof InvalidJsonBodyError) return invalidJson(exception.parserMessage);
  if (exception instanceof EmptyJsonBodyError) return emptyJsonBody();
  if (exception instanceof HttpException) return httpException(exception);
  if (exception instanceof SyntaxError && statusCodeOf(exception) === HttpStatus.BAD_REQUEST) {
    return invalidJson(exception.message); // a JSON parser that reports its SyntaxError as a 400
  }
  const fastifyClientError = fastifyClientErrorResponse(exception);
  if (fastifyClientError) return fastifyClientError;
  if (exception instanceof URIError) {
    return expected(HttpStatus.BAD_REQUEST, { message: `malformed percent-encoding in the URL: ${exception.message}` });
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { message: ErrorMessages.internal },
    headers: NO_HEADERS,
    unexpected: true,
  };
}

function commandRejected(rejection: CommandRejected): MarathonErrorResponse {
  switch (rejection.kind) {
    case 'not-found':
      return expected(HttpStatus.NOT_FOUND, { message: rejection.message });
    case 'conflict':
      return expected(HttpStatus.CONFLICT, { message: rejection.message, ...rejection.extra });
    case 'forbidden':
      return expected(HttpStatus.FORBIDDEN, { message: rejection.message });
    case 'invalid':
      return expected(HttpStatus.UNPROCESSABLE_ENTITY, {
        message: rejection.message,
        details: rejection.details ?? [],
      });
    default: {
      const _exhaustive: never = rejection.kind;
      return _exhaustive;
    }
  }
}

/** Nest's own exceptions (unknown route 404, 405, 415, ...) and Fastify's, rewrapped: status kept, `{ message }`. */
function httpException(exception: HttpException): MarathonErrorResponse {
  const status = exception.getStatus();
  const message = messageOf(exception);
  if (status === HttpStatus.BAD_REQUEST && message === FASTIFY_INVALID_JSON) return invalidJson(message);
  if (status === HttpStatus.BAD_REQUEST && message === FASTIFY_EMPTY_JSON) return emptyJsonBody();
  return { status, body: { message }, headers: NO_HEADERS, unexpected: status >= HttpStatus.INTERNAL_SERVER_ERROR };
}

/** A Fastify error that reached us unwrapped (its `code` survives): a client error keeps its status. */
function fastifyClientErrorResponse(exception: unknown): MarathonErrorResponse | undefined {
  if (!(exception instanceof Error)) return undefined;
  const code = (exception as { code?: unknown }).code;
  const status = statusCodeOf(exception);
  if (typeof code !== 'string' || !code.startsWith('FST_') || status === undefined) return undefined;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY') return invalidJson(exception.message);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return emptyJsonBody();
  if (status < HttpStatus.BAD_REQUEST || status >= HttpStatus.INTERNAL_SERVER_ERROR) return undefined;
  return expected(status, { message: exception.message });
}

function invalidJson(parserMessage: string): MarathonErrorResponse {
  return expected(HttpStatus.BAD_REQUEST, { message: ErrorMessages.invalidJson, details: parserMessage });
}

function emptyJsonBody(): MarathonErrorResponse {
  return expected(HttpStatus.BAD_REQUEST, { message: ErrorMessages.notJsonMappable, details: ErrorMessages.emptyBody });
}

function expected(status: number, body: Record<string, unknown>): MarathonErrorResponse {
  return { status, body, headers: NO_HEADERS, unexpected: false };
}

/** The text of an HttpException, whether built from a string or from `{ message }` (string or list). */
function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

function statusCodeOf(error: Error): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
