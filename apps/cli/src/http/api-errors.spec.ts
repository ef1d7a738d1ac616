import { ApiRefusedError } from '../errors';
import { describeBody, httpError, lockHint, networkReason } from './api-errors';

describe('describeBody (Marathon error shapes)', () => {
  const cases = [
    {
      name: '422 details become one `path: errors` line per entry',
      body: {
        message: 'Object is not valid',
        details: [
          { path: '/cpus', errors: ['error.min'] },
          { path: '/id', errors: ['a', 'b'] },
        ],
      },
      want: { message: 'Object is not valid', details: ['/cpus: error.min', '/id: a, b'] },
    },
    {
      name: '400 details are the parser message',
      body: { message: 'Invalid JSON', details: 'Unexpected token } at 3' },
      want: { message: 'Invalid JSON', details: ['Unexpected token } at 3'] },
    },
    {
      name: 'a message alone has no details',
      body: { message: "App '/x' does not exist" },
      want: { message: "App '/x' does not exist", details: [] },
    },
    {
      name: 'an entry without a path is about the whole object',
      body: { message: 'Object is not valid', details: [{ errors: ['must have cmd or args'] }] },
      want: { message: 'Object is not valid', details: ['/: must have cmd or args'] },
    },
  ];
  it.each(cases)('$name', ({ body, want }) => {
    expect(describeBody(JSON.stringify(body), 'Status')).toEqual(want);
  });

  it('a body that is not JSON is the message itself', () => {
    expect(describeBody('upstream connect error\n', 'Bad Gateway')).toEqual({
      message: 'upstream connect error',
      details: [],
    });
  });

  it('an empty body falls back to the status text', () => {
    expect(describeBody('', 'Service Unavailable')).toEqual({ message: 'Service Unavailable', details: [] });
  });
});

describe('networkReason', () => {
  it('names a refused connection and its code', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(networkReason(error, 1000)).toBe('connection refused: is the master running? (ECONNREFUSED)');
  });

  it('explains a port that fetch refuses', () => {
    const error = new TypeError('fetch failed', { cause: new Error('bad port') });
    expect(networkReason(error, 1000)).toContain('fetch refuses to connect to this port');
  });

  it('names a timeout with its bound', () => {
    expect(networkReason(new DOMException('aborted', 'TimeoutError'), 250)).toBe('no answer within 250 ms');
  });
});

describe('lockHint (409 of a locked app)', () => {
  const locked = (ids: string[]) =>
    JSON.stringify({
      message: "App is locked by one or more deployments. Override with the option '?force=true'.",
      deployments: ids.map((id) => ({ id })),
    });

  it('names the locking deployment and the flag that overrides it', () => {
    expect(lockHint(locked(['d-1']))).toEqual([
      'locked by deployment d-1: retry with --force (cancels the deployment)',
    ]);
  });

  it('names every locking deployment', () => {
    expect(lockHint(locked(['d-1', 'd-2']))).toEqual([
      'locked by deployments d-1, d-2: retry with --force (cancels the deployments)',
    ]);
  });

  it.each([
    ['a 409 about something else', JSON.stringify({ message: 'An app with id [/db] already exists.' })],
    ['an empty list', locked([])],
    ['a body that is not JSON', 'conflict'],
  ])('says nothing for %s', (_name, body) => {
    expect(lockHint(body)).toEqual([]);
  });

  it('is a detail line of the 409 error, after the API message', () => {
    const error = httpError(
      { method: 'PUT', url: 'http://m/v2/apps/a' },
      { status: 409, statusText: 'Conflict' },
      locked(['d-1']),
    );
    expect(error).toBeInstanceOf(ApiRefusedError);
    expect(error.lines()[1]).toBe('  locked by deployment d-1: retry with --force (cancels the deployment)');
  });
});
