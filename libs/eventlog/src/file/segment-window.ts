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
 */
export class SegmentWindow {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;

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
    if (pos < this.start || pos + wanted > loadedEnd) await this.load(pos, Math.max(wanted, this.chunkBytes));
    const index = pos - this.start;
    return { buf: this.buf, index, available: Math.min(this.buf.length, this.end - this.start) - index };
  }

  private async load(pos: number, length: number): Promise<void> {
    const bytes = Math.max(0, Math.min(length, this.end - pos));
    const buf = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const n = await this.file.read(buf, filled, bytes - filled, pos + filled);
      if (n === 0) break;
      filled += n;
    }
    this.buf = filled === bytes ? buf : buf.subarray(0, filled);
    this.start = pos;
  }
}
