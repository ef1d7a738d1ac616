import type { FastifyReply } from 'fastify';
import { Pacer } from '../core/pacing';

/** Bytes of JSON text gathered before they are written to the socket. */
const WRITE_CHUNK_CHARS = 64 * 1024;

/**
 * Answers 200 with `{"<key>": [render(item), ...]}`, rendered item by item with a turn of the
 * event loop every slice (core/pacing.ts) and written to the socket as it goes: a list of 150,000
 * tasks (about 75 MB) must not hold the loop, and with it the leader's heartbeats, for the seconds
 * one JSON.stringify and one write of it take. Items are rendered when their turn comes, from the
 * state as it is then: a read, like Marathon's, not a transaction.
 */
export async function sendJsonListInSlices<T>(
  reply: FastifyReply,
  key: string,
  items: readonly T[],
  render: (item: T) => unknown,
  pacer = new Pacer(),
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  let closed = false;
  raw.once('close', () => (closed = true));
  let pending = `{${JSON.stringify(key)}:[`;
  for (let i = 0; i < items.length && !closed; i++) {
    pending += (i > 0 ? ',' : '') + JSON.stringify(render(items[i]));
    if (pending.length >= WRITE_CHUNK_CHARS) {
      const flushed = raw.write(pending);
      pending = '';
      if (!flushed) await new Promise<void>((resolve) => raw.once('drain', resolve).once('close', resolve));
    }
    await pacer.turn();
  }
  raw.end(`${pending}]}`);
}
