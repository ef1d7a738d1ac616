import type { FsFile } from '../fs/fs.port';

/** Bytes read per syscall when scanning or reading a segment: big, so replay is not syscall-bound. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export interface WindowView {
  readonly buf: Buffer;
  /** Index in `buf` of the requested position. */
  readonly index: number;
  /** Bytes loaded from the requested position on (never past the window's end). */
  readonly available: number;
}

/**
 * A moving window over a segment's bytes [0, end). Each reload reads into a fresh buffer and
 * never reuses an old one, because decoded record values are views into these buffers.
 *
 * Once a read goes on past its first chunk (a replay, a scan), the window reads the next chunk
 * ahead while the caller decodes this one: the read (a copy from the page cache, on libuv's
 * threads) overlaps the decoding instead of stalling it. Only a frame that crosses the two chunks
 * is copied (into a buffer of its own); the chunk itself is used where it was read. A short read
 * (a page, `why`) never gets past its first chunk and reads nothing ahead.
 */
export class SegmentWindow {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  /** The chunk after the loaded bytes, read or being read (undefined bytes: that read failed). */
  private ahead: { readonly start: number; readonly bytes: Promise<Buffer | undefined> } | undefined;

  constructor(
    private readonly file: FsFile,
    private end: number,
    private readonly chunkBytes = READ_CHUNK_BYTES,
  ) {}

  get endPosition(): number {
    return this.end;
  }

  /** Lets the window see a file that has grown (a follower's segment). */
  extendTo(end: number): void {
    this.end = Math.max(this.end, end);
  }

  /** Loads at least min(length, end - pos) bytes from `pos`. */
  async ensure(pos: number, length: number): Promise<WindowView> {
    const wanted = Math.min(length, this.end - pos);
    const loadedEnd = this.start + this.buf.length;
    if (pos < this.start || pos + wanted > loadedEnd) {
      if (!(await this.goOnAhead(pos, wanted))) await this.load(pos, Math.max(wanted, this.chunkBytes));
    }
    const index = pos - this.start;
    return { buf: this.buf, index, available: Math.min(this.buf.length, this.end - this.start) - index };
  }

  /**
   * Serves [pos, pos + wanted) from the chunk read ahead, when it has those bytes: the chunk
   * itself once `pos` is in it (then the next one is read ahead), or, for the frame that crosses
   * into it, a buffer of just that frame's bytes (the chunk stays ahead). False otherwise.
   */
  private async goOnAhead(pos: number, wanted: number): Promise<boolean> {
    for (;;) {
      const ahead = this.ahead;
      if (!ahead || pos < this.start) return false;
      const next = await ahead.bytes;
      if (!next) {
        this.ahead = undefined;
        return false;
      }
      const nextEnd = ahead.start + next.length;
      if (pos >= ahead.start) {
        if (pos > nextEnd) return false;
        this.buf = next;
        this.start = ahead.start;
        this.readAhead();
        if (pos + wanted <= nextEnd) return true;
        continue; // the frame crosses into the chunk now read ahead
      }
      // The crossing frame: its bytes before the chunk ahead (the loaded bytes must reach it; they may
      // already hold some of it, from a shorter look at the same frame) and its bytes in that chunk.
      if (this.start + this.buf.length < ahead.start || pos + wanted > nextEnd) return false;
      const before = this.buf.subarray(pos - this.start, ahead.start - this.start);
      this.buf = Buffer.concat([before, next.subarray(0, pos + wanted - ahead.start)]);
      this.start = pos;
      return true;
    }
  }

  /** Starts reading the chunk after the loaded bytes. */
  private readAhead(): void {
    const from = this.start + this.buf.length;
    const bytes = Math.min(this.chunkBytes, this.end - from);
    this.ahead =
      bytes > 0
        ? // A failed read ahead is not an error yet: those bytes are read again when needed, and fail then.
          { start: from, bytes: this.readAt(from, bytes).catch(() => undefined) }
        : undefined;
  }

  private async load(pos: number, length: number): Promise<void> {
    // Going on from the loaded bytes (a second chunk at least): from now on, read ahead.
    const onward = this.buf.length > 0 && pos >= this.start && pos <= this.start + this.buf.length;
    this.ahead = undefined;
    this.buf = await this.readAt(pos, Math.max(0, Math.min(length, this.end - pos)));
    this.start = pos;
    if (onward) this.readAhead();
  }

  private async readAt(pos: number, bytes: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const n = await this.file.read(buf, filled, bytes - filled, pos + filled);
      if (n === 0) break;
      filled += n;
    }
    return filled === bytes ? buf : buf.subarray(0, filled);
  }
}
