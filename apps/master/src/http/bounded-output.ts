import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { constants, createGzip, type Gzip } from 'node:zlib';

/**
 * How much a stream may hold for a client that reads slower than events come: rendered frames not
 * yet handed to the kernel. Above it the stream stops reading the log (the backlog stays in the
 * log, not in memory) and waits for the client; a client that does not take any of it for
 * SLOW_CLIENT_GRACE_MS is closed cleanly, and may resume with Last-Event-ID losing nothing.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
export const SLOW_CLIENT_GRACE_MS = 30_000;

export interface OutputBounds {
  readonly maxBufferedBytes: number;
  readonly graceMs: number;
}

/** The response body of one stream: plain or gzip (flushed per write), with a bounded buffer. */
export class BoundedOutput {
  private readonly gzip: Gzip | null;
  private closed = false;

  constructor(
    private readonly response: ServerResponse,
    gzip: boolean,
    private readonly bounds: OutputBounds = { maxBufferedBytes: MAX_BUFFERED_BYTES, graceMs: SLOW_CLIENT_GRACE_MS },
  ) {
    // A write to a client that just went away fails; the close handler ends the stream.
    response.on('error', () => undefined);
    this.gzip = gzip ? createGzip({ flush: constants.Z_SYNC_FLUSH }) : null;
    this.gzip?.on('error', () => undefined);
    this.gzip?.pipe(response);
  }

  /** Bytes written and not yet taken by the socket (gzip's input and output included). */
  get buffered(): number {
    return (this.gzip?.writableLength ?? 0) + (this.gzip?.readableLength ?? 0) + this.response.writableLength;
  }

  /**
   * Writes `text`; with gzip, `flush: Z_SYNC_FLUSH` on every write makes each write decodable at
   * once (a frame never waits in the compressor for the next). Resolves false when the client
   * stayed over the bound for the grace period (the output is then closed).
   */
  async write(text: string): Promise<boolean> {
    if (this.closed) return false;
    const target = this.gzip ?? this.response;
    target.write(text);
    if (this.gzip) this.gzip.flush(constants.Z_SYNC_FLUSH);
    while (this.buffered > this.bounds.maxBufferedBytes) {
      if (!(await this.drained())) {
        this.close();
        return false;
      }
    }
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.gzip) this.gzip.end();
    else this.response.end();
  }

  /** Waits until whichever stage holds the data can take more; false on timeout or a gone client. */
  private async drained(): Promise<boolean> {
    if (this.response.destroyed) return false;
    const stage = this.response.writableNeedDrain ? this.response : this.gzip?.writableNeedDrain ? this.gzip : null;
    if (!stage) {
      // Data sits between stages (gzip output the pipe is about to move): let it move.
      await new Promise((resolve) => setImmediate(resolve));
      return true;
    }
    const done = new AbortController();
    const timer = setTimeout(() => done.abort(), this.bounds.graceMs);
    try {
      await Promise.race([
        once(stage, 'drain', { signal: done.signal }),
        once(this.response, 'close', { signal: done.signal }),
      ]);
      return !this.response.destroyed;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      done.abort();
    }
  }
}
