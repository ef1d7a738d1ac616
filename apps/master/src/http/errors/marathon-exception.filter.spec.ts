import { Body, Controller, Get, Logger, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandRejected } from '@cairn/domain';
import { validateAppDefinition } from '../validation';
import { requireJsonBody } from '../validation/require-json-body';
import { MarathonExceptionFilter } from './marathon-exception.filter';
import { useMarathonBodyParsing } from './marathon-body-parsing';
import { MarathonValidationError } from './marathon-validation.error';
import { UnavailableError } from '../../core/errors';

/** A tiny API that throws what the master's controllers throw. */
@Controller()
class ProbeController {
  @Post('v2/apps')
  create(@Body() body: unknown) {
    const checked = validateAppDefinition(requireJsonBody(body), { mode: 'create' });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    return checked.app;
  }

  /** A route without a body, as Marathon clients call it: JSON content type, empty body. */
  @Post('v2/apps/restart')
  restart(@Body() body: unknown) {
    return { bodyWasAbsent: body === undefined };
  }

  @Get('rejected/:kind')
  reject(@Param('kind') kind: 'not-found' | 'conflict' | 'invalid') {
    throw new CommandRejected(
      kind,
      `rejected as ${kind}`,
      kind === 'invalid' ? [{ path: '/', errors: ['no'] }] : undefined,
    );
  }

  @Get('not-ready')
  notReady() {
    throw new UnavailableError('master is not ready: replaying the event log');
  }

  @Get('boom')
  boom() {
    throw new Error('the database password is hunter2');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

interface Probe {
  readonly app: NestFastifyApplication;
  readonly url: string;
}

async function startProbe(marathonParser: boolean): Promise<Probe> {
  const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
  app.useGlobalFilters(new MarathonExceptionFilter());
  if (marathonParser) useMarathonBodyParsing(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${String(address)}`);
  return { app, url: `http://127.0.0.1:${address.port}` };
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const postJson = (body: string, contentType = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
});

describe.each([
  ['with useMarathonBodyParsing', true],
  ['with Fastify’s own JSON parser', false],
])('MarathonExceptionFilter over HTTP (%s)', (_name, marathonParser) => {
  let probe: Probe;
  let logError: jest.SpyInstance;

  beforeAll(async () => {
    probe = await startProbe(marathonParser);
  });

  afterAll(async () => {
    await probe?.app.close();
  });

  beforeEach(() => {
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logError.mockRestore();
  });

  it('a valid app goes through', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson('{"id":"web","cmd":"sleep 1"}'));
    expect(status).toBe(201);
    expect(body).toEqual({ id: '/web', cmd: 'sleep 1' });
  });

  it('malformed JSON is a 400 "Invalid JSON" with the parser’s message as a string', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson('{"id": "/web",'));
    expect(status).toBe(400);
    expect(body).toEqual({ message: 'Invalid JSON', details: expect.any(String) });
  });

  it('a "__proto__" key is refused by the secure parser', async () => {
    const { status, body } = await call(
      `${probe.url}/v2/apps`,
      postJson('{"id":"/web","cmd":"x","__proto__":{"a":1}}'),
    );
    expect(status).toBe(400);
    expect(body).toEqual({ message: 'Invalid JSON', details: expect.any(String) });
  });

  it('an empty JSON body is a 400 "Please specify data in JSON format"', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson(''));
    expect(status).toBe(400);
    expect(body).toEqual({ message: 'Please specify data in JSON format', details: 'the request body is empty' });
  });

  it('a media type with no parser is a 415 with a message', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson('<app/>', 'application/xml'));
    expect(status).toBe(415);
    expect(body).toEqual({ message: expect.any(String) });
  });

  it('JSON that is not an object is a 422 at the object itself', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson('[1,2]'));
    expect(status).toBe(422);
    expect(body).toEqual({ message: 'Invalid JSON', details: [{ path: '/', errors: ['error.expected.jsobject'] }] });
  });

  it('an invalid app is a 422 with Marathon’s details', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson('{"id":"/web","cmd":"x","args":["y"]}'));
    expect(status).toBe(422);
    expect(body).toEqual({
      message: 'Object is not valid',
      details: [
        { path: '/', errors: ["AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."] },
      ],
    });
  });

  it.each([
    ['not-found', 404, { message: 'rejected as not-found' }],
    ['conflict', 409, { message: 'rejected as conflict' }],
    ['invalid', 422, { message: 'rejected as invalid', details: [{ path: '/', errors: ['no'] }] }],
  ])('a command rejected as %s is a %i', async (kind, status, body) => {
    expect(await call(`${probe.url}/rejected/${kind}`)).toMatchObject({ status, body });
  });

  it('not ready is a 503 with Retry-After: 1', async () => {
    const { status, headers, body } = await call(`${probe.url}/not-ready`);
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('1');
    expect(body).toEqual({ message: 'master is not ready: replaying the event log' });
  });

  it('an unknown route is a 404 with a message', async () => {
    const { status, body } = await call(`${probe.url}/v2/nope`);
    expect(status).toBe(404);
    expect(body).toEqual({ message: 'Cannot GET /v2/nope' });
  });

  it('an unexpected error is a 500 "internal error", logged, its text kept from the client', async () => {
    const { status, body } = await call(`${probe.url}/boom`);
    expect(status).toBe(500);
    expect(body).toEqual({ message: 'internal error' });
    expect(logError).toHaveBeenCalledWith(
      expect.stringContaining('the database password is hunter2'),
      expect.stringContaining('Error'),
    );
  });

  it('client errors are not logged as errors', async () => {
    await call(`${probe.url}/v2/apps`, postJson('{'));
    await call(`${probe.url}/rejected/conflict`);
    expect(logError).not.toHaveBeenCalled();
  });
});

describe('useMarathonBodyParsing', () => {
  let probe: Probe;

  beforeAll(async () => {
    probe = await startProbe(true);
  });

  afterAll(async () => {
    await probe?.app.close();
  });

  it('malformed JSON is answered with the JSON parser’s own message', async () => {
    const malformed = '{"id": "/web",';
    const parserMessage = (() => {
      try {
        JSON.parse(malformed);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected the body to be malformed');
    })();
    const { status, body } = await call(`${probe.url}/v2/apps`, postJson(malformed));
    expect(status).toBe(400);
    expect(body).toEqual({ message: 'Invalid JSON', details: parserMessage });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'a %s body is 415, as Marathon accepts JSON only',
    async (contentType) => {
      const { status, body } = await call(`${probe.url}/v2/apps`, postJson('{"id":"/web","cmd":"x"}', contentType));
      expect(status).toBe(415);
      expect(body).toEqual({ message: 'Unsupported Media Type' });
    },
  );

  it('an empty JSON body on a route that takes none is no body (Marathon clients send the header always)', async () => {
    const { status, body } = await call(`${probe.url}/v2/apps/restart`, postJson(''));
    expect(status).toBe(201);
    expect(body).toEqual({ bodyWasAbsent: true });
  });

  it('a JSON content type with parameters is still JSON', async () => {
    const { status } = await call(
      `${probe.url}/v2/apps`,
      postJson('{"id":"/web","cmd":"x"}', 'application/json; charset=utf-8'),
    );
    expect(status).toBe(201);
  });
});
