import { EventEmitter } from 'node:events';
import type { FastifyReply } from 'fastify';
import { Pacer } from '../core/pacing';
import { sendJsonListInSlices } from './sliced-json';

/** A response socket that is always full: every write asks the writer to wait for 'drain'. */
class SlowResponse extends EventEmitter {
  readonly chunks: string[] = [];
  mostCloseListeners = 0;
  writeHead(): void {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    this.mostCloseListeners = Math.max(this.mostCloseListeners, this.listenerCount('close'));
    setImmediate(() => this.emit('drain'));
    return false;
  }
  end(chunk: string): void {
    this.chunks.push(chunk);
    this.emit('close');
  }
}

describe('sendJsonListInSlices', () => {
  it('waits for drain between chunks without leaving a close listener per wait', async () => {
    const raw = new SlowResponse();
    const reply = { raw, hijack: () => undefined } as unknown as FastifyReply;
    const items = Array.from({ length: 2_000 }, (_, i) => ({ id: i, pad: 'x'.repeat(200) }));

    await sendJsonListInSlices(reply, 'items', items, (item) => item, new Pacer(0));

    expect(raw.chunks.length).toBeGreaterThan(5); // it did wait for drain several times
    // The sender's own 'close' watch plus at most one wait's: not one more per chunk written.
    expect(raw.mostCloseListeners).toBeLessThanOrEqual(2);
    expect(JSON.parse(raw.chunks.join(''))).toEqual({ items });
  });
});
