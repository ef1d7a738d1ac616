import { describeBody, networkReason } from './api-errors';

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
