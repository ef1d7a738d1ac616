import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@cairn/common';
import { waitFor } from '../executor/executor-test-support';
import { openCommandStream, type CommandStream } from './command-stream';

let server: Server;
let url: string;
let streams: ServerResponse[] = [];
let answer: { status: number; body?: string } = { status: 200 };

beforeAll(async () => {
  server = createServer((request, response) => {
    if (answer.status !== 200) {
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.flushHeaders();
    streams.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands`;
});

afterEach(() => {
  for (const stream of streams) stream.destroy();
  streams = [];
  answer = { status: 200 };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function open(clock = new ManualClock()): { stream: CommandStream; lines: string[]; clock: ManualClock } {
  const lines: string[] = [];
  const stream = openCommandStream({
    url,
    clock,
    idleTimeoutMs: 1_000,
    connectTimeoutMs: 5_000,
    onLine: (line) => lines.push(line),
  });
  return { stream, lines, clock };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('openCommandStream', () => {
  it('hands over whole lines, however the chunks fall, and skips blank ones', async () => {
    const { stream, lines } = open();
    await stream.opened;
    streams[0].write('{"type":"pi');
    streams[0].write('ng"}\n\n{"type":"kill","taskId":"a"}\n{"type"');
    await waitFor('two lines', () => (lines.length === 2 ? true : undefined));
    expect(lines).toEqual(['{"type":"ping"}', '{"type":"kill","taskId":"a"}']);
    streams[0].end(':"ping"}\n');
    expect(await stream.ended).toEqual({ kind: 'ended' });
    expect(lines).toHaveLength(3);
  });

  it('takes a connection that stays silent past the idle timeout for dead', async () => {
    const { stream, clock } = open();
    await stream.opened;
    clock.advance(999);
    streams[0].write('{"type":"ping"}\n'); // any line re-arms the watchdog
    await settle();
    clock.advance(999); // 1998 ms after opening, 999 after the ping
    expect(await Promise.race([stream.ended, settle().then(() => 'still open')])).toBe('still open');
    clock.advance(1);
    expect(await stream.ended).toEqual({ kind: 'idle' });
  });

  it('rejects `opened` with the status and message of a refusal', async () => {
    answer = { status: 404, body: '{"message":"unknown agent a1"}' };
    const { stream } = open();
    await expect(stream.opened).rejects.toThrow('HTTP 404: unknown agent a1');
    expect(await stream.ended).toMatchObject({ kind: 'error' });
  });

  it('ends as closed when the agent closes it', async () => {
    const { stream } = open();
    await stream.opened;
    stream.close();
    expect(await stream.ended).toEqual({ kind: 'closed' });
  });
});
