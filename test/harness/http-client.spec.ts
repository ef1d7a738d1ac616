import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpClient } from './http-client';
import { MarathonShapeError } from './marathon-shapes';

/** A server answering each path with a fixed JSON body: what the harness client makes of it. */
describe('the harness HTTP client checks every /v2 answer', () => {
  let server: Server;
  let base = '';
  const bodies: Record<string, unknown> = {
    '/v2/info': { name: 'x', marathon_config: {}, zookeeper_config: {}, http_config: {}, cairn: { a: 1 } },
    '/v2/leader': { leader: 'h:1' },
    '/v1/info': { anything: 'goes' },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(bodies[new URL(req.url ?? '/', 'http://x').pathname] ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('rejects a /v2 answer with a field outside the profile, naming the route and the field', async () => {
    const http = httpClient(() => base);
    const answer = http.get('/v2/info');
    await expect(answer).rejects.toBeInstanceOf(MarathonShapeError);
    await expect(answer).rejects.toThrow('GET /v2/info (200)');
    await expect(answer).rejects.toThrow('$.cairn (not a field of info)');
  });

  it('passes conforming /v2 answers and does not check other prefixes', async () => {
    const http = httpClient(() => base);
    expect((await http.get('/v2/leader?x=1')).body).toEqual({ leader: 'h:1' });
    expect((await http.get('/v1/info')).body).toEqual({ anything: 'goes' });
  });
});
