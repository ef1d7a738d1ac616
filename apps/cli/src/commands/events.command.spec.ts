import type { ServerResponse } from 'node:http';
import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { formatEventLine } from '../output/event-line';
import { captureIo, CapturedIo } from '../testing/capture-io';
import { FakeMaster, RecordedRequest, startFakeMaster } from '../testing/fake-master';

const at = '2025-01-02T03:04:05.000Z';
const envelope = { id: 'e', v: 1, at, actor: 'alice', correlationId: 'c', causationId: null };
const log = [
  { ...envelope, offset: 0, type: 'LeaderElected', data: { instance: 'm1', epoch: 0 } },
  { ...envelope, offset: 1, type: 'AppCreated', data: { app: { id: '/web', instances: 1, cmd: 'sleep 1' } } },
  { ...envelope, offset: 2, type: 'AppScaled', data: { appId: '/web', instances: 3, lastScalingAt: at } },
  { ...envelope, offset: 3, type: 'AppScaled', data: { appId: '/web', instances: 0, lastScalingAt: at } },
  { ...envelope, offset: 4, type: 'AppDeleted', data: { appId: '/web' } },
];

/** Pages of at most 2 events whatever the client's limit, so paging really happens. */
const PAGE_SIZE = 2;
function eventsPage(request: RecordedRequest) {
  const from = Number(request.query.get('from'));
  const events = log.slice(from, from + Math.min(PAGE_SIZE, Number(request.query.get('limit'))));
  return { body: { events, next: from + events.length, end: log.length } };
}

describe('cairn events tail', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  async function tail(args: string[], io: CapturedIo = captureIo()) {
    const code = await run(['events', 'tail', '--master', master!.url, ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('pages from offset 0 until next reaches end, one line per event', async () => {
    master = await startFakeMaster({ 'GET /v1/events': eventsPage });
    const { code, out, err } = await tail([]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toBe(log.map((e) => formatEventLine(e) + '\n').join(''));
    expect(master.requests.map((r) => r.query.get('from'))).toEqual(['0', '2', '4']);
    expect(master.requests.every((r) => r.query.get('limit') === '500' && !r.query.has('follow'))).toBe(true);
  });

  it('starts at --from and filters by --type', async () => {
    master = await startFakeMaster({ 'GET /v1/events': eventsPage });
    const { code, out } = await tail(['--from', '1', '--type', 'AppScaled,AppDeleted']);
    expect(code).toBe(0);
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((line) => line.trim().split(/\s+/).slice(0, 3)),
    ).toEqual([
      ['2', at, 'AppScaled'],
      ['3', at, 'AppScaled'],
      ['4', at, 'AppDeleted'],
    ]);
    expect(master.requests[0].query.get('from')).toBe('1');
  });

  it('--json prints each event as one JSON line', async () => {
    master = await startFakeMaster({ 'GET /v1/events': eventsPage });
    const { out } = await tail(['--json', '--type', 'AppCreated', '--type', 'LeaderElected']);
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([log[0], log[1]]);
  });

  it('prints nothing and exits 0 for an empty log', async () => {
    master = await startFakeMaster({ 'GET /v1/events': { body: { events: [], next: 0, end: 0 } } });
    expect(await tail([])).toEqual({ code: 0, out: '', err: '' });
  });

  it('exits 4 instead of looping when a page makes no progress', async () => {
    master = await startFakeMaster({ 'GET /v1/events': { body: { events: [], next: 0, end: 5 } } });
    const { code, err } = await tail([]);
    expect(code).toBe(ExitCode.ServerError);
    expect(err).toContain('made no progress');
    expect(master.requests).toHaveLength(1);
  });

  describe('--follow', () => {
    /** Streams the log as NDJSON and keeps the response open, like the master. */
    function stream(events: readonly object[], options: { end?: boolean } = {}) {
      return (_request: RecordedRequest, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Split one event across two writes: the client must reassemble lines.
        const text = events.map((e) => JSON.stringify(e) + '\n').join('');
        res.write(text.slice(0, 10));
        res.write(text.slice(10));
        if (options.end) res.end();
      };
    }

    it('prints events as they arrive and stops cleanly (exit 0) when interrupted', async () => {
      master = await startFakeMaster({ 'GET /v1/events': stream(log.slice(2, 4)) });
      const stop = new AbortController();
      const io = captureIo({ signal: stop.signal });
      const running = tail(['--from', '2', '--follow', '--json'], io);
      await waitFor(() => io.out().split('\n').length > 2);
      stop.abort();
      const { code, out, err } = await running;
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(
        out
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual(log.slice(2, 4));
      expect(Object.fromEntries(master.requests[0].query)).toEqual({ from: '2', follow: 'true' });
    });

    it('exits 3 when the master ends the stream, saying where', async () => {
      master = await startFakeMaster({ 'GET /v1/events': stream(log.slice(0, 2), { end: true }) });
      const { code, out, err } = await tail(['--follow']);
      expect(code).toBe(ExitCode.Unreachable);
      expect(out.trimEnd().split('\n')).toHaveLength(2);
      expect(err).toContain('the master ended the event stream after offset 1');
    });

    it('exits 3 when the connection breaks mid-stream', async () => {
      master = await startFakeMaster({
        'GET /v1/events': (_request, res) => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(JSON.stringify(log[0]) + '\n', () => res.socket?.destroy());
        },
      });
      const { code, out, err } = await tail(['--follow']);
      expect(code).toBe(ExitCode.Unreachable);
      expect(out).toBe(formatEventLine(log[0]) + '\n');
      expect(err).toMatch(
        /^error: cannot reach the master at http:\/\/127\.0\.0\.1:\d+\/v1\/events\?from=0&follow=true: /,
      );
    });

    it('exits 4 with Retry-After when the master is not ready', async () => {
      master = await startFakeMaster({
        'GET /v1/events': { status: 503, body: { message: 'starting' }, headers: { 'retry-after': '2' } },
      });
      const { code, err } = await tail(['--follow']);
      expect(code).toBe(ExitCode.ServerError);
      expect(err).toContain('Retry-After: 2 seconds');
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
