import { createHash } from 'node:crypto';
import {
  checkBody,
  DEFAULT_SNAPSHOTS_KEPT,
  SnapshotCorruptError,
  type SnapshotMeta,
  type SnapshotStore,
} from './snapshot-store';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Snapshots in memory: for a master run in-process on the memory log (tests, the simulation). */
export class MemorySnapshotStore implements SnapshotStore {
  readonly backend = 'memory';
  private readonly snapshots = new Map<number, { meta: SnapshotMeta; body: Buffer }>();

  constructor(private readonly keep = DEFAULT_SNAPSHOTS_KEPT) {}

  async write(meta: SnapshotMeta, body: Buffer): Promise<void> {
    this.snapshots.set(meta.offset, { meta, body: Buffer.from(body) });
    const offsets = [...this.snapshots.keys()].sort((a, b) => a - b);
    for (const offset of offsets.slice(0, Math.max(0, offsets.length - this.keep))) this.snapshots.delete(offset);
  }

  async list(): Promise<SnapshotMeta[]> {
    return [...this.snapshots.values()].map((s) => s.meta).sort((a, b) => b.offset - a.offset);
  }

  async read(meta: SnapshotMeta): Promise<Buffer> {
    const stored = this.snapshots.get(meta.offset);
    if (!stored) throw new SnapshotCorruptError(`snapshot at offset ${meta.offset} is gone`, meta.offset);
    return checkBody(meta, stored.body, sha256);
  }

  /** For tests: flips a byte of a stored body, as a disk might. */
  corrupt(offset: number): void {
    const stored = this.snapshots.get(offset);
    if (stored && stored.body.length > 0) stored.body[stored.body.length >> 1] ^= 0xff;
  }

  async close(): Promise<void> {}
}
