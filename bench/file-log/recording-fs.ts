import type { Fs, FsFile } from '@cairn/eventlog/fs/fs.port';
import { NodeFs } from '@cairn/eventlog/fs/node-fs';

/** One durable write as the file log issued it: the bytes of one writev, then whether it synced. */
export type WriteOp =
  { readonly kind: 'write'; readonly buffers: readonly Buffer[]; readonly bytes: number } | { readonly kind: 'sync' };

/**
 * The real NodeFs, passed through, that remembers the writes and syncs the log made to its
 * segment files, so the baseline can replay exactly the same bytes in exactly the same batches.
 * It keeps references, never copies, so it costs the measured path next to nothing.
 */
export class RecordingFs implements Fs {
  readonly ops: WriteOp[] = [];
  private readonly inner = new NodeFs();

  /** How many times the log synced a segment: one per group commit. */
  get syncs(): number {
    return this.ops.reduce((n, op) => n + (op.kind === 'sync' ? 1 : 0), 0);
  }

  get bytesWritten(): number {
    return this.ops.reduce((n, op) => n + (op.kind === 'write' ? op.bytes : 0), 0);
  }

  openRead(path: string): Promise<FsFile> {
    return this.inner.openRead(path);
  }

  async openWrite(path: string): Promise<FsFile> {
    const file = await this.inner.openWrite(path);
    return path.endsWith('.log') ? new RecordingFile(file, this.ops) : file;
  }

  readdir(dir: string): Promise<string[]> {
    return this.inner.readdir(dir);
  }

  mkdirp(dir: string): Promise<void> {
    return this.inner.mkdirp(dir);
  }

  syncDir(dir: string): Promise<void> {
    return this.inner.syncDir(dir);
  }

  readFile(path: string): Promise<Buffer> {
    return this.inner.readFile(path);
  }

  writeFile(path: string, data: Buffer): Promise<void> {
    return this.inner.writeFile(path, data);
  }

  link(from: string, to: string): Promise<void> {
    return this.inner.link(from, to);
  }

  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return this.inner.unlink(path);
  }

  sizeOf(path: string): Promise<number | undefined> {
    return this.inner.sizeOf(path);
  }
}

class RecordingFile implements FsFile {
  constructor(
    private readonly inner: FsFile,
    private readonly ops: WriteOp[],
  ) {}

  get path(): string {
    return this.inner.path;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.inner.read(buffer, offset, length, position);
  }

  writev(buffers: readonly Buffer[], position: number): Promise<void> {
    let bytes = 0;
    for (const b of buffers) bytes += b.length;
    this.ops.push({ kind: 'write', buffers: [...buffers], bytes });
    return this.inner.writev(buffers, position);
  }

  sync(): Promise<void> {
    this.ops.push({ kind: 'sync' });
    return this.inner.sync();
  }

  truncate(size: number): Promise<void> {
    return this.inner.truncate(size);
  }

  size(): Promise<number> {
    return this.inner.size();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
