import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { hasErrorCode, type Fs } from '../fs/fs.port';
import {
  checkBody,
  DEFAULT_SNAPSHOTS_KEPT,
  parseMeta,
  SnapshotCorruptError,
  type SnapshotMeta,
  type SnapshotStore,
} from './snapshot-store';

const NAME = /^snapshot-(\d{16})\.snap$/;
/** Metadata is one JSON line at the start of the file; it is far smaller than this. */
const META_MAX_BYTES = 4096;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const fileName = (offset: number) => `snapshot-${String(offset).padStart(16, '0')}.snap`;

/**
 * Snapshots as files in a directory beside the file log (`<data-dir>/snapshots`), one per
 * snapshot: a line of JSON metadata, then the body. Written to a temporary name, synced, renamed
 * and the directory synced, so a crash leaves either the whole file or none (a stray `.tmp` is
 * ignored and removed by the next write).
 */
export class FileSnapshotStore implements SnapshotStore {
  readonly backend = 'file';

  constructor(
    private readonly fs: Fs,
    private readonly dir: string,
    private readonly keep = DEFAULT_SNAPSHOTS_KEPT,
  ) {}

  async write(meta: SnapshotMeta, body: Buffer): Promise<void> {
    await this.fs.mkdirp(this.dir);
    const name = fileName(meta.offset);
    const temporary = join(this.dir, `${name}.tmp`);
    await this.fs.writeFile(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(meta)}\n`), body]));
    await this.fs.rename(temporary, join(this.dir, name));
    await this.fs.syncDir(this.dir);
    await this.prune();
  }

  async list(): Promise<SnapshotMeta[]> {
    const metas: SnapshotMeta[] = [];
    for (const name of await this.names()) {
      const meta = await this.readMeta(name).catch(() => null);
      if (meta && fileName(meta.offset) === name) metas.push(meta);
    }
    return metas.sort((a, b) => b.offset - a.offset);
  }

  async read(meta: SnapshotMeta): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await this.fs.readFile(join(this.dir, fileName(meta.offset)));
    } catch (error) {
      throw new SnapshotCorruptError(
        `snapshot at offset ${meta.offset} cannot be read: ${(error as Error).message}`,
        meta.offset,
      );
    }
    const newline = data.indexOf(0x0a);
    return checkBody(meta, data.subarray(newline + 1), sha256);
  }

  async close(): Promise<void> {}

  /** Snapshot files, oldest first; temporary files of an interrupted write are removed. */
  private async names(): Promise<string[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return [];
      throw error;
    }
    return names.filter((name) => NAME.test(name)).sort();
  }

  private async readMeta(name: string): Promise<SnapshotMeta | null> {
    const file = await this.fs.openRead(join(this.dir, name));
    try {
      const head = Buffer.alloc(META_MAX_BYTES);
      const read = await file.read(head, 0, head.length, 0);
      const newline = head.subarray(0, read).indexOf(0x0a);
      return newline < 0 ? null : parseMeta(head.subarray(0, newline).toString('utf8'));
    } finally {
      await file.close();
    }
  }

  private async prune(): Promise<void> {
    const names = await this.names();
    for (const name of names.slice(0, Math.max(0, names.length - this.keep))) {
      await this.fs.unlink(join(this.dir, name)).catch(() => undefined);
    }
    for (const name of await this.fs.readdir(this.dir)) {
      if (name.endsWith('.snap.tmp')) await this.fs.unlink(join(this.dir, name)).catch(() => undefined);
    }
    await this.fs.syncDir(this.dir);
  }
}
