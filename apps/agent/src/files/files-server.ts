import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { parseReadQuery, readSandboxFile } from './read-sandbox-file';

export interface FilesServerOptions {
  workDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, every read must carry `Authorization: Bearer <token>` (the master's proxy does). */
  token?: string;
  logger: Logger;
}

export interface RunningFilesServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The agent's sandbox file server (docs/agent-protocol.md §5), read by the master's
 * `/v1/tasks/{id}/files/...` proxy: `GET /files/read?taskId=&file=stdout|stderr&offset=&length=`
 * with Mesos's /files/read semantics, and `GET /ping`.
 */
export async function startFilesServer(options: FilesServerOptions): Promise<RunningFilesServer> {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      options.logger.error({ err: error, url: request.url }, 'files server error');
      if (!response.headersSent) sendJson(response, 500, { message: 'internal error reading the file' });
      else response.destroy();
    });
  });
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ host: options.host, port }, 'files server listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(options: FilesServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://agent');
  if (url.pathname === '/ping') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
    return;
  }
  if (url.pathname !== '/files/read') return sendJson(response, 404, { message: `no such path: ${url.pathname}` });
  if (request.method !== 'GET') return sendJson(response, 405, { message: 'only GET is served' });
  if (options.token !== undefined && !bearerMatches(request.headers.authorization, options.token)) {
    options.logger.warn({ remote: request.socket.remoteAddress }, 'files read refused: missing or wrong token');
    return sendJson(response, 401, { message: 'a valid agent token is required' });
  }
  const query = parseReadQuery(url.searchParams);
  if (!query.ok) return sendJson(response, 400, { message: query.message });
  const result = await readSandboxFile(options.workDir, query.request);
  if (!result) {
    return sendJson(response, 404, {
      message: `no ${query.request.file} for task '${query.request.taskId}' on this agent`,
    });
  }
  sendJson(response, 200, result);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
