import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1:<free port> that plays the master's API in CLI tests, so
 * the CLI's real fetch, status and header handling run (no fetch mocks). Routes are keyed
 * `METHOD /path` (query excluded); every request is recorded.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export interface FakeReply {
  readonly status?: number;
  readonly body?: unknown;
  /** A raw body instead of JSON. */
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

/** Returns a reply, or writes to `res` itself (streams) and returns nothing. */
export type FakeHandler = (
  request: RecordedRequest,
  res: ServerResponse,
) => FakeReply | void | Promise<FakeReply | void>;

export interface FakeMaster {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeMaster(routes: Record<string, FakeReply | FakeHandler>): Promise<FakeMaster> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void handle(routes, requests, req, res).catch((error: unknown) => {
      res.writeHead(599).end(String(error));
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL where nothing listens (a port that was free a moment ago). */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function handle(
  routes: Record<string, FakeReply | FakeHandler>,
  requests: RecordedRequest[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const parsed = new URL(req.url ?? '/', 'http://fake');
  const request = {
    method: req.method ?? 'GET',
    path: parsed.pathname,
    query: parsed.searchParams,
    body: Buffer.concat(chunks).toString('utf8'),
  };
  requests.push(request);
  const route = routes[`${request.method} ${request.path}`];
  const reply = typeof route === 'function' ? await route(request, res) : (route ?? NO_ROUTE);
  if (reply === undefined) return;
  const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(text);
}

const NO_ROUTE: FakeReply = { status: 404, body: { message: 'fake master: no such route' } };

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
