import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@cairn/common';
import { MasterClient } from './master-client';
import type { StatusUpdate } from '../protocol/agent-protocol';

/** A master of an earlier release: POST .../status only (its router answers 404 to .../statuses). */
let server: Server;
let url: string;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(request.url ?? '');
      if (request.url?.endsWith('/status')) {
        const update = JSON.parse(body) as StatusUpdate;
        const answer = update.taskId === 'gone' ? [409, { message: 'task gone' }] : [200, { ack: update.updateId }];
        response.writeHead(answer[0] as number, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer[1]));
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Cannot POST"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const update = (taskId: string, n: number): StatusUpdate => ({
  updateId: `00000000-0000-4000-8000-00000000000${n}`,
  taskId,
  state: 'TASK_RUNNING',
  reason: null,
  message: null,
  exitCode: null,
  pid: 42,
  at: '2026-12-07T00:00:00.000Z',
});

describe('MasterClient.postStatuses against a master without .../statuses', () => {
  it('delivers each update through .../status, with each one its own outcome', async () => {
    const client = new MasterClient({ clock: new ManualClock() });
    const outcomes = await client.postStatuses(url, 'agent-1', [update('t1', 1), update('gone', 2)]);
    expect(outcomes.map((o) => o.kind)).toEqual(['acked', expect.not.stringMatching(/^acked$/)]);
    expect(received.filter((path) => path.endsWith('/status'))).toHaveLength(2);
    expect(received.some((path) => path.endsWith('/statuses'))).toBe(true);
  });
});
