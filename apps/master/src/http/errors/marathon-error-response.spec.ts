import { BadRequestException, HttpException, MethodNotAllowedException, NotFoundException } from '@nestjs/common';
import { CommandRejected } from '@cairn/domain';
import { errorCodes } from 'fastify';
import { EmptyJsonBodyError, InvalidJsonBodyError } from './json-body.errors';
import { ErrorMessages, toMarathonErrorResponse } from './marathon-error-response';
import { MarathonValidationError } from './marathon-validation.error';
import { UnavailableError } from '../../core/errors';

const details = [{ path: '/cpus', errors: ['error.min'] }];

describe('toMarathonErrorResponse', () => {
  const cases: { name: string; exception: unknown; status: number; body: Record<string, unknown> }[] = [
    {
      name: 'a validation error is a 422 with its details',
      exception: new MarathonValidationError('Invalid JSON', details),
      status: 422,
      body: { message: 'Invalid JSON', details },
    },
    {
      name: 'a command rejected as not-found is a 404',
      exception: new CommandRejected('not-found', "App '/x' does not exist"),
      status: 404,
      body: { message: "App '/x' does not exist" },
    },
    {
      name: 'a command rejected as conflict is a 409',
      exception: new CommandRejected('conflict', 'An app with id [/x] already exists.'),
      status: 409,
      body: { message: 'An app with id [/x] already exists.' },
    },
    {
      name: 'a command rejected as invalid is a 422 with its details',
      exception: new CommandRejected('invalid', 'Object is not valid', details),
      status: 422,
      body: { message: 'Object is not valid', details },
    },
    {
      name: 'a command rejected as invalid without details still has a details list',
      exception: new CommandRejected('invalid', 'no'),
      status: 422,
      body: { message: 'no', details: [] },
    },
    {
      name: 'our JSON parser’s error keeps the parser message',
      exception: new InvalidJsonBodyError('Unexpected end of JSON input'),
      status: 400,
      body: { message: 'Invalid JSON', details: 'Unexpected end of JSON input' },
    },
    {
      name: 'an empty JSON body is Marathon’s "Please specify data in JSON format"',
      exception: new EmptyJsonBodyError(),
      status: 400,
      body: { message: 'Please specify data in JSON format', details: ErrorMessages.emptyBody },
    },
    {
      name: 'Fastify’s invalid-JSON error, as Nest rewraps it, is Invalid JSON',
      exception: new HttpException(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY().message, 400),
      status: 400,
      body: { message: 'Invalid JSON', details: new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY().message },
    },
    {
      name: 'Fastify’s empty-JSON error, as Nest rewraps it, is the empty-body answer',
      exception: new HttpException(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY().message, 400),
      status: 400,
      body: { message: 'Please specify data in JSON format', details: ErrorMessages.emptyBody },
    },
    {
      name: 'Fastify’s invalid-JSON error, unwrapped, is Invalid JSON',
      exception: new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(),
      status: 400,
      body: { message: 'Invalid JSON', details: new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY().message },
    },
    {
      name: 'a SyntaxError marked 400 (another JSON parser) is Invalid JSON',
      exception: Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), { statusCode: 400 }),
      status: 400,
      body: { message: 'Invalid JSON', details: 'Unexpected token } in JSON at position 9' },
    },
    {
      name: 'an unwrapped Fastify client error keeps its status',
      exception: new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/xml'),
      status: 415,
      body: { message: new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/xml').message },
    },
    {
      name: 'Nest’s unknown-route 404 keeps its message',
      exception: new NotFoundException('Cannot GET /v2/nope'),
      status: 404,
      body: { message: 'Cannot GET /v2/nope' },
    },
    {
      name: 'a 405 keeps its status',
      exception: new MethodNotAllowedException(),
      status: 405,
      body: { message: 'Method Not Allowed' },
    },
    {
      name: 'a list of messages (Nest’s ValidationPipe) is joined',
      exception: new BadRequestException(['a is wrong', 'b is wrong']),
      status: 400,
      body: { message: 'a is wrong; b is wrong' },
    },
    {
      name: 'a malformed percent-encoding is the client’s fault',
      exception: new URIError('URI malformed'),
      status: 400,
      body: { message: 'malformed percent-encoding in the URL: URI malformed' },
    },
  ];

  it.each(cases)('$name', ({ exception, status, body }) => {
    expect(toMarathonErrorResponse(exception)).toEqual({ status, body, headers: {}, unexpected: false });
  });

  it('not ready is a 503 with Retry-After', () => {
    expect(toMarathonErrorResponse(new UnavailableError('master is not ready: replaying the event log'))).toEqual({
      status: 503,
      body: { message: 'master is not ready: replaying the event log' },
      headers: { 'Retry-After': '1' },
      unexpected: false,
    });
  });

  it.each([
    ['an Error', new Error('db password is hunter2')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a thrown string', 'boom'],
    ['a Fastify server error', new errorCodes.FST_ERR_HOOK_TIMEOUT('onRequest')],
  ])('%s is a 500 "internal error", flagged for the log, without its text', (_name, exception) => {
    expect(toMarathonErrorResponse(exception)).toEqual({
      status: 500,
      body: { message: 'internal error' },
      headers: {},
      unexpected: true,
    });
  });

  it('a deliberate 5xx HttpException keeps its status and is logged', () => {
    expect(toMarathonErrorResponse(new HttpException('upstream down', 502))).toEqual({
      status: 502,
      body: { message: 'upstream down' },
      headers: {},
      unexpected: true,
    });
  });
});
