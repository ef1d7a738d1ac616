import { posix } from 'node:path';
import { fsError, type Fs, type FsFile } from './fs.port';

/**
 * An in-memory Fs for unit tests: what is written is visible at once (the page cache), but only
 * what was synced survives `crash()`, and a file's name survives only once its directory was
 * synced. Failures are injected one call at a time (`failNextWrite`, `failNextSync`), the way
 * raft-wal's `segment/vfs_test.go` drives its error paths.
 *
 * Simplifications (documented so no test leans on more): directories are durable at once; a
 * crash keeps an unsynced file's synced bytes plus, on request, a prefix of the bytes appended
 * after them (a torn write); overwrites of synced bytes are forgotten by a crash.
 */
export class MemFs implements Fs {
  private readonly dirs = new Set<string>(['/']);
  private entries = new Map<string, Inode>();
  private durableEntries = new Map<string, Inode>();
  private generation = 0;
  private writeFailure: WriteFailure | undefined;
  private syncFailure: Error | undefined;
  /** Calls of `sync()` on any file, failed ones included: tests prove a failed fsync is never retried. */
  syncCalls = 0;
  /** Microtasks a `sync()` takes, so a simulated crash can land while one is in flight (as on a disk). */
  syncDelayMicrotasks = 0;

  // ---- test controls ------------------------------------------------------------------------

  /** The next `writev` fails; with `afterBytes`, that many bytes land first (a short, torn write). */
  failNextWrite(error: Error = fsError('EIO', 'injected write failure'), afterBytes = 0): void {
    this.writeFailure = { error, afterBytes };
  }

  /** The next `sync` fails (its data stays unsynced). */
  failNextSync(error: Error = fsError('EIO', 'injected fsync failure')): void {
    this.syncFailure = error;
  }

  /** Loses everything not synced, as a power cut would; every handle opened before is dead. */
  crash(options: { keepUnsyncedBytes?: number | 'all' } = {}): void {
    this.generation++;
    this.entries = new Map(this.durableEntries);
    for (const inode of new Set(this.entries.values())) {
      const unsynced = inode.size > inode.durable.length ? inode.size - inode.durable.length : 0;
      const keep = options.keepUnsyncedBytes === 'all' ? unsynced : Math.min(unsynced, options.keepUnsyncedBytes ?? 0);
      const appended = Buffer.from(inode.data.subarray(inode.durable.length, inode.durable.length + keep));
      inode.data = Buffer.concat([inode.durable, appended]);
      inode.size = inode.data.length;
    }
  }

  /** Cuts a file to `size` bytes, durably (the shape a torn write leaves). */
  truncate(path: string, size: number): void {
    const inode = this.inode(path);
    inode.size = Math.min(inode.size, size);
    inode.data = Buffer.from(inode.data.subarray(0, inode.size));
    inode.durable = Buffer.from(inode.data);
  }

  /** Flips the bits of one byte, durably (bit rot). */
  flipByte(path: string, position: number): void {
    const inode = this.inode(path);
    if (position >= inode.size) throw new RangeError(`flipByte: ${path} has ${inode.size} bytes, not ${position + 1}`);
    inode.data[position] ^= 0xff;
    if (position < inode.durable.length) inode.durable[position] ^= 0xff;
  }

  /** Appends bytes, durably (garbage after a crash). */
  appendBytes(path: string, bytes: Buffer): void {
    const inode = this.inode(path);
    inode.data = Buffer.concat([inode.data.subarray(0, inode.size), bytes]);
    inode.size = inode.data.length;
    inode.durable = Buffer.from(inode.data);
  }

  /** A copy of a file's visible bytes. */
  contents(path: string): Buffer {
    const inode = this.inode(path);
    return Buffer.from(inode.data.subarray(0, inode.size));
  }

  exists(path: string): boolean {
    return this.entries.has(path);
  }

  // ---- the Fs port --------------------------------------------------------------------------

  async openRead(path: string): Promise<FsFile> {
    const inode = this.entries.get(path);
    if (!inode) throw fsError('ENOENT', `no such file ${path}`);
    return new MemFsFile(this, path, inode, this.generation);
  }

  async openWrite(path: string): Promise<FsFile> {
    this.requireDir(posix.dirname(path));
    let inode = this.entries.get(path);
    if (!inode) {
      inode = { data: Buffer.alloc(0), size: 0, durable: Buffer.alloc(0) };
      this.entries.set(path, inode);
    }
    return new MemFsFile(this, path, inode, this.generation);
  }

  async readdir(dir: string): Promise<string[]> {
    this.requireDir(dir);
    const names: string[] = [];
    for (const path of this.entries.keys()) if (posix.dirname(path) === dir) names.push(posix.basename(path));
    for (const d of this.dirs) if (d !== dir && posix.dirname(d) === dir) names.push(posix.basename(d));
    return names.sort();
  }

  async mkdirp(dir: string): Promise<void> {
    for (let d = dir; !this.dirs.has(d); d = posix.dirname(d)) this.dirs.add(d);
  }

  async syncDir(dir: string): Promise<void> {
    this.requireDir(dir);
    for (const path of [...this.durableEntries.keys()]) {
      if (posix.dirname(path) === dir && !this.entries.has(path)) this.durableEntries.delete(path);
    }
    for (const [path, inode] of this.entries) if (posix.dirname(path) === dir) this.durableEntries.set(path, inode);
  }

  async readFile(path: string): Promise<Buffer> {
    return this.contentsOrEnoent(path);
  }

  async writeFile(path: string, data: Buffer): Promise<void> {
    this.requireDir(posix.dirname(path));
    const copy = Buffer.from(data);
    this.entries.set(path, { data: copy, size: copy.length, durable: Buffer.from(copy) });
  }

  async link(from: string, to: string): Promise<void> {
    const inode = this.entries.get(from);
    if (!inode) throw fsError('ENOENT', `no such file ${from}`);
    if (this.entries.has(to)) throw fsError('EEXIST', `${to} exists`);
    this.entries.set(to, inode);
  }

  async rename(from: string, to: string): Promise<void> {
    const inode = this.entries.get(from);
    if (!inode) throw fsError('ENOENT', `no such file ${from}`);
    this.entries.delete(from);
    this.entries.set(to, inode);
  }

  async unlink(path: string): Promise<void> {
    if (!this.entries.delete(path)) throw fsError('ENOENT', `no such file ${path}`);
  }

  async sizeOf(path: string): Promise<number | undefined> {
    return this.entries.get(path)?.size;
  }

  // ---- used by MemFsFile ----------------------------------------------------------------------

  /** @internal */
  checkAlive(generation: number, path: string): void {
    if (generation !== this.generation) throw fsError('EBADF', `${path}: handle opened before a simulated crash`);
  }

  /** @internal */
  takeWriteFailure(): WriteFailure | undefined {
    const failure = this.writeFailure;
    this.writeFailure = undefined;
    return failure;
  }

  /** @internal */
  takeSyncFailure(): Error | undefined {
    this.syncCalls++;
    const failure = this.syncFailure;
    this.syncFailure = undefined;
    return failure;
  }

  private inode(path: string): Inode {
    const inode = this.entries.get(path);
    if (!inode) throw new Error(`MemFs: no such file ${path}`);
    return inode;
  }

  private contentsOrEnoent(path: string): Buffer {
    const inode = this.entries.get(path);
    if (!inode) throw fsError('ENOENT', `no such file ${path}`);
    return Buffer.from(inode.data.subarray(0, inode.size));
  }

  private requireDir(dir: string): void {
    if (!this.dirs.has(dir)) throw fsError('ENOENT', `no such directory ${dir}`);
  }
}

interface Inode {
  /** Visible bytes (may have spare capacity past `size`). */
  data: Buffer;
  size: number;
  /** What survives a crash. */
  durable: Buffer;
}

interface WriteFailure {
  error: Error;
  afterBytes: number;
}

class MemFsFile implements FsFile {
  constructor(
    private readonly fs: MemFs,
    readonly path: string,
    private readonly inode: Inode,
    private readonly generation: number,
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.fs.checkAlive(this.generation, this.path);
    const end = Math.min(this.inode.size, position + length);
    if (end <= position) return 0;
    return this.inode.data.copy(buffer, offset, position, end);
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    this.fs.checkAlive(this.generation, this.path);
    const bytes = Buffer.concat(buffers as Buffer[]);
    const failure = this.fs.takeWriteFailure();
    if (failure) {
      this.place(bytes.subarray(0, Math.min(failure.afterBytes, bytes.length)), position);
      throw failure.error;
    }
    this.place(bytes, position);
  }

  async sync(): Promise<void> {
    this.fs.checkAlive(this.generation, this.path);
    for (let i = 0; i < this.fs.syncDelayMicrotasks; i++) await Promise.resolve();
    this.fs.checkAlive(this.generation, this.path);
    const failure = this.fs.takeSyncFailure();
    if (failure) throw failure;
    this.inode.durable = Buffer.from(this.inode.data.subarray(0, this.inode.size));
  }

  async truncate(size: number): Promise<void> {
    this.fs.checkAlive(this.generation, this.path);
    if (size > this.inode.size) this.place(Buffer.alloc(size - this.inode.size), this.inode.size);
    this.inode.size = size;
    this.inode.data = Buffer.from(this.inode.data.subarray(0, size));
    // Simplification: a shrink is durable at once (the log fsyncs right after it anyway).
    if (this.inode.durable.length > size) this.inode.durable = Buffer.from(this.inode.durable.subarray(0, size));
  }

  async size(): Promise<number> {
    this.fs.checkAlive(this.generation, this.path);
    return this.inode.size;
  }

  async close(): Promise<void> {
    // Nothing to release; a closed handle is simply dropped.
  }

  private place(bytes: Buffer, position: number): void {
    const end = position + bytes.length;
    if (end > this.inode.data.length) {
      const grown = Buffer.alloc(Math.max(end, this.inode.data.length * 2));
      this.inode.data.copy(grown, 0, 0, this.inode.size);
      this.inode.data = grown;
    }
    if (position > this.inode.size) this.inode.data.fill(0, this.inode.size, position);
    bytes.copy(this.inode.data, position);
    this.inode.size = Math.max(this.inode.size, end);
  }
}
