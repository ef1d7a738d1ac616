import { ApiRefusedError, MasterUnreachableError, ServerError } from '../errors';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';
import { MasterClient } from './master-client';

describe('MasterClient', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  it('returns the body, status and X-Cairn-Offset of a 2xx answer', async () => {
    master = await startFakeMaster({
      'POST /v2/apps': { status: 201, body: { id: '/a' }, headers: { 'x-cairn-offset': '12' } },
    });
    const reply = await new MasterClient(master.url).post('/v2/apps', { id: '/a' });
    expect(reply).toEqual({ status: 201, body: { id: '/a' }, offset: 12 });
    expect(master.requests[0].body).toBe('{"id":"/a"}');
  });

  it('reads X-Cairn-Ignored-Fields as a list of field names, and sends PATCH with a JSON body', async () => {
    master = await startFakeMaster({
      'PATCH /v2/apps/a': {
        body: { deploymentId: 'd' },
        headers: { 'x-cairn-ignored-fields': 'instanses, foo,caf%C3%A9%2Cx' },
      },
    });
    const reply = await new MasterClient(master.url).patch('/v2/apps/a', { instanses: 2 });
    expect(reply.ignoredFields).toEqual(['instanses', 'foo', 'café,x']); // percent-encoded by the master
    expect(master.requests[0]).toMatchObject({ method: 'PATCH', body: '{"instanses":2}' });
  });

  it('has no ignoredFields when the header is absent or empty', async () => {
    master = await startFakeMaster({
      'PUT /v2/apps/a': { body: {} },
      'PUT /v2/apps/b': { body: {}, headers: { 'x-cairn-ignored-fields': '' } },
    });
    const client = new MasterClient(master.url);
    expect((await client.put('/v2/apps/a', {})).ignoredFields).toBeUndefined();
    expect((await client.put('/v2/apps/b', {})).ignoredFields).toBeUndefined();
  });

  it('keeps a path prefix of the base URL (a master behind a proxy)', async () => {
    master = await startFakeMaster({ 'GET /cairn/v2/apps': { body: { apps: [] } } });
    const reply = await new MasterClient(`${master.url}/cairn/`).get('/v2/apps');
    expect(reply.body).toEqual({ apps: [] });
  });

  it('takes a comma-separated list of masters: an unreachable one is skipped, the next answers', async () => {
    master = await startFakeMaster({ 'GET /v2/apps': { body: { apps: [] } } });
    const gone = await startFakeMaster({});
    const goneUrl = gone.url;
    await gone.close(); // nothing listens there any more
    const client = new MasterClient(`${goneUrl}, ${master.url}`);
    expect((await client.get('/v2/apps')).body).toEqual({ apps: [] });
    // The one that answered is asked first from now on.
    expect(client.baseUrl).toBe(master.url);
  });

  it('does not move on when a master answers with an error: the answer is the cluster’s', async () => {
    master = await startFakeMaster({ 'GET /refused': { status: 409, body: { message: 'conflict' } } });
    const other = await startFakeMaster({ 'GET /refused': { body: {} } });
    try {
      await expect(new MasterClient(`${master.url},${other.url}`).get('/refused')).rejects.toBeInstanceOf(
        ApiRefusedError,
      );
      expect(other.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('maps 4xx to ApiRefusedError and 5xx to ServerError', async () => {
    master = await startFakeMaster({
      'GET /refused': { status: 409, body: { message: 'conflict' } },
      'GET /failed': { status: 502, body: { message: 'bad gateway' } },
    });
    const client = new MasterClient(master.url);
    await expect(client.get('/refused')).rejects.toBeInstanceOf(ApiRefusedError);
    await expect(client.get('/failed')).rejects.toBeInstanceOf(ServerError);
  });

  it('gives up after its timeout when the master never answers', async () => {
    master = await startFakeMaster({ 'GET /v2/apps': () => undefined /* never answers */ });
    const started = Date.now();
    const failure = await new MasterClient(master.url, { timeoutMs: 100 }).get('/v2/apps').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MasterUnreachableError);
    expect((failure as Error).message).toBe(
      `cannot reach the master at ${master.url}/v2/apps: no answer within 100 ms`,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lines() stops quietly when its signal aborts while the stream is quiet', async () => {
    master = await startFakeMaster({
      'GET /stream': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"offset":0}\n');
      },
    });
    const stop = new AbortController();
    const seen: string[] = [];
    for await (const line of new MasterClient(master.url, { timeoutMs: 100 }).lines('/stream', stop.signal)) {
      seen.push(line);
      setTimeout(() => stop.abort(), 300); // longer than the timeout: a quiet stream is not a timeout
    }
    expect(seen).toEqual(['{"offset":0}']);
  });
});
