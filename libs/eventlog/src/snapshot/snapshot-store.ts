/**
 * The SnapshotStore port: where a leader keeps snapshots of the folded state and where a starting
 * master finds the newest one. A snapshot is opaque bytes here (the master's codec makes and reads
 * them) plus the metadata needed to choose one without reading it.
 *
 * A snapshot is never the source of truth: it only saves replaying the log up to its offset. So a
 * store may lose or refuse one at any time; the caller falls back to an older one or to a full
 * replay. What a store must never do is return bytes other than those written: `read` checks the
 * body's sha256 against its metadata and throws SnapshotCorruptError on any difference.
 */
export interface SnapshotMeta {
  /** The last log offset the snapshot includes. */
  readonly offset: number;
  /** The id of the event at `offset`: proves the snapshot belongs to this log, not a recreated one. */
  readonly eventId: string;
  /** The state hash at `offset`. */
  readonly hash: string;
  /** The codec's format; a reader that does not know it skips the snapshot. */
  readonly format: number;
  /** Events folded into it (for progress and operators). */
  readonly events: number;
  /** Size of the body in bytes. */
  readonly bytes: number;
  /** sha256 of the body (hex). */
  readonly sha256: string;
  /** ISO time it was written (the writer's clock; informational). */
  readonly writtenAt: string;
}

export interface SnapshotStore {
  /** 'file', 'kafka' or 'memory'. */
  readonly backend: string;
  /** Stores a snapshot durably, then drops the oldest beyond the store's `keep`. */
  write(meta: SnapshotMeta, body: Buffer): Promise<void>;
  /** The snapshots held, newest (highest offset) first. Unreadable entries are left out. */
  list(): Promise<SnapshotMeta[]>;
  /** The body of a listed snapshot, checked against its sha256. */
  read(meta: SnapshotMeta): Promise<Buffer>;
  close(): Promise<void>;
}

/** A snapshot whose bytes do not match what was written (or that is gone since it was listed). */
export class SnapshotCorruptError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'SnapshotCorruptError';
  }
}

/** How many snapshots a store keeps unless told otherwise. */
export const DEFAULT_SNAPSHOTS_KEPT = 3;

export function checkBody(meta: SnapshotMeta, body: Buffer, sha256: (bytes: Buffer) => string): Buffer {
  if (body.length !== meta.bytes) {
    throw new SnapshotCorruptError(
      `snapshot at offset ${meta.offset} has ${body.length} bytes, ${meta.bytes} were written`,
      meta.offset,
    );
  }
  const actual = sha256(body);
  if (actual !== meta.sha256) {
    throw new SnapshotCorruptError(
      `snapshot at offset ${meta.offset} is corrupt: sha256 ${actual}, ${meta.sha256} was written`,
      meta.offset,
    );
  }
  return body;
}

/** Parses stored metadata; null when it is not a snapshot's. */
export function parseMeta(text: string): SnapshotMeta | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const m = value as Record<string, unknown>;
  const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const isText = (v: unknown) => typeof v === 'string' && v.length > 0;
  const valid =
    isInt(m.offset) &&
    isText(m.eventId) &&
    isText(m.hash) &&
    isInt(m.format) &&
    isInt(m.events) &&
    isInt(m.bytes) &&
    isText(m.sha256) &&
    isText(m.writtenAt);
  return valid ? (m as unknown as SnapshotMeta) : null;
}
