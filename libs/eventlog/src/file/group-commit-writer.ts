import type { AppendResult, Offset } from '../event-log';
import { WriterFailedError } from '../errors';
import type { Fs, FsFile } from '../fs/fs.port';
import { segmentRef, type SegmentRef } from './segment-files';

/** Frames per write+fsync at most. 1024 is also Linux's IOV_MAX, so one group is one writev. */
export const GROUP_COMMIT_MAX_BATCHES_DEFAULT = 1024;
/** Bytes per write+fsync at most: large enough to amortise the fsync, small enough to bound latency. */
export const GROUP_COMMIT_MAX_BYTES_DEFAULT = 8 * 1024 * 1024;

export interface GroupCommitLimits {
  readonly maxBatches: number;
  readonly maxBytes: number;
}

export interface ActiveSegment {
  readonly segment: SegmentRef;
  readonly file: FsFile;
  /** Bytes written and synced. */
  readonly size: number;
}

interface PendingAppend {
  readonly frame: Buffer;
  readonly baseOffset: Offset;
  readonly recordCount: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: Error) => void;
}

export interface GroupCommitEvents {
  /** After a group is durable: the new end offset and where it ends on disk. */
  durable(endOffset: Offset, segment: SegmentRef, position: number): void;
  /** After a new segment file exists (its name is durable). */
  rolled(segment: SegmentRef): void;
}

/**
 * The single writer's queue: appends that arrive while a write+fsync is in flight wait, and the
 * next write takes all of them (up to the limits) in one writev and one fsync. Each append is its
 * own frame and learns its own offsets; offsets are assigned in call order at append time.
 *
 * A write or fsync error kills the writer for good: the fsync is never retried (after a failed
 * fsync the kernel may have dropped the dirty pages, so a retry that succeeds proves nothing).
 * Every pending and later append is rejected until the log is reopened, whose recovery settles
 * what reached the disk.
 */
export class GroupCommitWriter {
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private failure: WriterFailedError | undefined;
  private nextOffset: Offset;

  constructor(
    private readonly fs: Fs,
    private readonly dir: string,
    private active: ActiveSegment,
    endOffset: Offset,
    private readonly segmentMaxBytes: number,
    private readonly limits: GroupCommitLimits,
    private readonly events: GroupCommitEvents,
  ) {
    this.nextOffset = endOffset;
  }

  get failed(): WriterFailedError | undefined {
    return this.failure;
  }

  /** Queues one frame (one batch) of `recordCount` records encoded by `encode(baseOffset)`. */
  append(recordCount: number, encode: (baseOffset: Offset) => Buffer): Promise<AppendResult> {
    if (this.failure) return Promise.reject(this.rejection('not-written'));
    const baseOffset = this.nextOffset;
    const frame = encode(baseOffset);
    this.nextOffset += recordCount;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ frame, baseOffset, recordCount, resolve, reject });
      // Start on a microtask, so appends made in the same tick share the first write too.
      if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flushLoop());
    });
  }

  /** Waits until everything queued so far is settled, then closes the segment file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.active.file.close();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        if (this.mustRollBefore(this.queue[0])) await this.guard(() => this.roll(this.queue[0].baseOffset), []);
        if (this.failure) break;
        const group = this.takeGroup();
        await this.guard(() => this.writeGroup(group), group);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** A frame never spans segments: roll first if it does not fit in a non-empty segment. */
  private mustRollBefore(next: PendingAppend): boolean {
    return this.active.size > 0 && this.active.size + next.frame.length > this.segmentMaxBytes;
  }

  private takeGroup(): PendingAppend[] {
    let bytes = 0;
    let count = 0;
    const room = this.segmentMaxBytes - this.active.size;
    while (count < this.queue.length && count < this.limits.maxBatches) {
      const frameBytes = this.queue[count].frame.length;
      const fits = bytes + frameBytes <= this.limits.maxBytes && bytes + frameBytes <= room;
      if (!fits && count > 0) break;
      bytes += frameBytes;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    const frames = group.map((p) => p.frame);
    const bytes = frames.reduce((sum, f) => sum + f.length, 0);
    await this.active.file.writev(frames, this.active.size);
    await this.active.file.sync();
    this.active = { ...this.active, size: this.active.size + bytes };
    const last = group[group.length - 1];
    const endOffset = last.baseOffset + last.recordCount;
    this.events.durable(endOffset, this.active.segment, this.active.size);
    for (const pending of group) {
      const offsets = new Array<Offset>(pending.recordCount);
      for (let i = 0; i < pending.recordCount; i++) offsets[i] = pending.baseOffset + i;
      pending.resolve({ offsets, endOffset });
    }
  }

  /**
   * Starts the next segment. The previous one was fsynced by its last group, so a segment other
   * than the last is always complete on disk (FORMAT.md, "Roll").
   */
  private async roll(baseOffset: Offset): Promise<void> {
    const segment = segmentRef(this.dir, baseOffset);
    const file = await this.fs.openWrite(segment.path);
    await this.fs.syncDir(this.dir);
    const previous = this.active.file;
    this.active = { segment, file, size: 0 };
    this.events.rolled(segment);
    await previous.close();
  }

  private async guard(step: () => Promise<void>, inFlight: PendingAppend[]): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.fail(error, inFlight);
    }
  }

  private fail(cause: unknown, inFlight: PendingAppend[]): void {
    this.failure = new WriterFailedError(
      `event log writer for ${this.dir} failed (${String(cause)}); every append is refused until the log ` +
        'is reopened, and its recovery settles what reached the disk',
      { dir: this.dir, segment: this.active.segment.name, cause },
    );
    for (const pending of inFlight) pending.reject(this.rejection('unknown'));
    for (const pending of this.queue.splice(0)) pending.reject(this.rejection('not-written'));
  }

  /**
   * The error an append gets once the writer failed. `outcome` says what the caller may assume:
   * 'unknown' for a batch that was in the failed write (reopen and read to learn if it is there),
   * 'not-written' for one that never reached the disk.
   */
  private rejection(outcome: 'unknown' | 'not-written'): WriterFailedError {
    const failure = this.failure!;
    return new WriterFailedError(failure.message, { ...failure.context, outcome });
  }
}
