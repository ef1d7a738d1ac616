/**
 * The Fs port: every file operation the file event log performs, and nothing more, so unit
 * tests can run the log on `MemFs` with injected write/fsync failures and simulated crashes
 * (the shape of hashicorp/raft-wal's `types/vfs.go`).
 *
 * Positions are explicit on every read and write: the log never relies on a file cursor or on
 * O_APPEND, so what lands where is decided by the log alone.
 */
export interface FsFile {
  readonly path: string;
  /** Reads up to `length` bytes at `position` into `buffer[offset..]`; returns the bytes read (0 at the end). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Writes every byte of `buffers`, in order, starting at `position` (short writes are retried inside). */
  writev(buffers: readonly Buffer[], position: number): Promise<void>;
  /** Makes the file's data durable (fdatasync). */
  sync(): Promise<void>;
  truncate(size: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface Fs {
  /** Opens an existing file for reading. Rejects with code ENOENT when it does not exist. */
  openRead(path: string): Promise<FsFile>;
  /** Opens a file for reading and writing, creating it (empty) when missing. */
  openWrite(path: string): Promise<FsFile>;
  /** Names in a directory; rejects with code ENOENT when the directory does not exist. */
  readdir(dir: string): Promise<string[]>;
  mkdirp(dir: string): Promise<void>;
  /** Makes a directory's entries (files created, renamed, removed in it) durable. */
  syncDir(dir: string): Promise<void>;
  /** Whole-file read, for small files (the lock). Rejects with code ENOENT when missing. */
  readFile(path: string): Promise<Buffer>;
  /** Creates or replaces a file with `data` and syncs it. */
  writeFile(path: string, data: Buffer): Promise<void>;
  /** Hard link; rejects with code EEXIST when `to` exists (an atomic create-if-absent). */
  link(from: string, to: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; rejects with code ENOENT when missing. */
  unlink(path: string): Promise<void>;
  /** Size in bytes, or undefined when the file does not exist. */
  sizeOf(path: string): Promise<number | undefined>;
}

/** Node's errno convention, so callers test `code` whichever Fs they run on. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export function fsError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
