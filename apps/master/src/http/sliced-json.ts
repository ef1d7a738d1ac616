import type { FastifyReply } from 'fastify';
import { Pacer } from '../core/pacing';

/**
 * `{"<key>": [render(item), ...]}` as JSON text, built item by item with a turn of the event loop
 * every slice (core/pacing.ts): a list of 100,000 tasks must not hold the loop (and with it the
 * leader's heartbeats) for the half second one JSON.stringify of it takes. Items are rendered
 * when their turn comes, from the state as it is then: a read, like Marathon's, not a transaction.
 */
export async function jsonListInSlices<T>(
  key: string,
  items: readonly T[],
  render: (item: T) => unknown,
  pacer = new Pacer(),
): Promise<string> {
  const parts: string[] = [`{${JSON.stringify(key)}:[`];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(',');
    parts.push(JSON.stringify(render(items[i])));
    await pacer.turn();
  }
  parts.push(']}');
  return parts.join('');
}

/** Sends JSON text already serialised (fastify would otherwise treat a string as text/plain). */
export function sendJsonText(reply: FastifyReply, text: string): string {
  void reply.type('application/json; charset=utf-8');
  return text;
}
