import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MasterRuntime } from '../core/master-runtime';
import { OFFSET_HEADER } from './write-reply';

/** Marathon's proxy headers: which master leads, and which standby a proxied answer came through. */
export const LEADER_HEADER = 'X-Marathon-Leader';
export const VIA_HEADER = 'X-Marathon-Via';
/** Set on a forwarded request, so a master that is not the leader either never forwards it again. */
export const PROXIED_HEADER = 'X-Cairn-Proxied-By';
/** How long a forwarded write may take at the leader (Marathon's leader_proxy timeouts are similar). */
export const PROXY_TIMEOUT_MS = 30_000;
/** How long a standby waits to have applied a proxied write before it answers anyway. */
export const READ_YOUR_WRITE_TIMEOUT_MS = 5_000;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

/**
 * Marathon's standby behaviour: REST writes (`/v2`, `/v1`) that reach a standby are forwarded to the
 * leader, which stamps time, ids and the actor as for any request; reads are served locally from
 * the followed log. The standby answers only once it has applied the write's offset, so a client
 * reads its own write through the same standby. The agent API (`/internal`) is not forwarded:
 * agents talk to the leader only (a standby answers them 503 and they try the next master).
 */
export function useLeaderProxy(app: NestFastifyApplication, runtime: MasterRuntime): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!WRITES.has(request.method) || !/^\/v[12]\//.test(request.url)) return;
    if (runtime.isReady || !runtime.serving) return; // the leader decides; a master not serving answers 503
    const leader = runtime.leader;
    if (!leader || leader === runtime.instance || request.headers[PROXIED_HEADER.toLowerCase()] !== undefined) {
      void reply.status(503).header('Retry-After', '1').send({ message: 'Could not determine the current leader' });
      return reply;
    }
    reply.hijack();
    await forward(request, reply, leader, runtime);
    return reply;
  });
}

async function forward(request: FastifyRequest, reply: FastifyReply, leader: string, runtime: MasterRuntime) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers[PROXIED_HEADER] = runtime.instance;
  headers['x-forwarded-for'] = request.ip;
  let answer: { status: number; headers: IncomingHttpHeaders; body: Buffer };
  try {
    answer = await send(`http://${leader}${request.url}`, request, headers);
  } catch (error) {
    const body = JSON.stringify({ message: `the leader ${leader} did not answer: ${(error as Error).message}` });
    reply.raw.writeHead(503, {
      'Content-Type': 'application/json',
      'Retry-After': '1',
      [LEADER_HEADER]: `http://${leader}`,
    });
    reply.raw.end(body);
    return;
  }
  const offset = Number(answer.headers[OFFSET_HEADER.toLowerCase()]);
  if (Number.isSafeInteger(offset)) await runtime.waitForOffset(offset, READ_YOUR_WRITE_TIMEOUT_MS);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  out[LEADER_HEADER] = `http://${leader}`;
  out[VIA_HEADER] = runtime.instance;
  out['content-length'] = String(answer.body.length);
  reply.raw.writeHead(answer.status, out);
  reply.raw.end(answer.body);
}

/** One request to the leader with the client's body streamed through; the whole answer is read. */
function send(
  url: string,
  request: FastifyRequest,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(url, { method: request.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    out.setTimeout(PROXY_TIMEOUT_MS, () => out.destroy(new Error(`no answer within ${PROXY_TIMEOUT_MS} ms`)));
    out.on('error', reject);
    request.raw.pipe(out);
  });
}
