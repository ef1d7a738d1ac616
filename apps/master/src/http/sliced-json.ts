import type { FastifyReply } from 'fastify';
import { Pacer } from '../core/pacing';

/** Bytes of JSON text gathered before they are written to the socket. */
const WRITE_CHUNK_CHARS = 64 * 1024;

/** JSON text already serialised (read-views.ts): written as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A list rendered item by item when its turn comes. */
export interface SlicedList<T = unknown> {
  readonly items: readonly T[];
  readonly render: (item: T) => unknown;
}

export function slicedList<T>(items: readonly T[], render: (item: T) => unknown): SlicedList<T> {
  return { items, render };
}

export function isSlicedList(value: unknown): value is SlicedList {
  return typeof value === 'object' && value !== null && 'items' in value && 'render' in value;
}

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
  await sendJsonInSlices(reply, { [key]: slicedList(items, render) }, pacer);
}

/**
 * The same for an object of several fields: plain values are written as they are, `SlicedList`s
 * item by item, in the object's key order.
 */
export async function sendJsonInSlices(
  reply: FastifyReply,
  fields: Readonly<Record<string, unknown>>,
  pacer = new Pacer(),
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  let closed = false;
  raw.once('close', () => (closed = true));
  let pending = '{';
  const flush = async () => {
    const flushed = raw.write(pending);
    pending = '';
    if (!flushed) await drainedOrClosed(raw);
  };
  let first = true;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    pending += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!isSlicedList(value)) {
      pending += JSON.stringify(value);
      continue;
    }
    pending += '[';
    for (let i = 0; i < value.items.length && !closed; i++) {
      const rendered = value.render(value.items[i]);
      pending += (i > 0 ? ',' : '') + (rendered instanceof RawJson ? rendered.text : JSON.stringify(rendered));
      if (pending.length >= WRITE_CHUNK_CHARS) await flush();
      await pacer.turn();
    }
    pending += ']';
  }
  raw.end(`${pending}}`);
}

/**
 * Resolves when the socket drains or the response closes, and leaves neither listener behind: a
 * 75 MB list waits for drain hundreds of times, and each wait used to leave a 'close' listener.
 */
function drainedOrClosed(raw: FastifyReply['raw']): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.once('drain', done);
    raw.once('close', done);
  });
}
