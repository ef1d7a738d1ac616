import type { AppendRecord, AppendResult, EventLog, FollowOptions, LogRecord, Offset, ReadOptions } from '../event-log';
import type { Fs, FsFile } from '../fs/fs.port';
import { NodeFs } from '../fs/node-fs';
import { ChangeNotifier } from '../memory/change-notifier';
import { BatchTooLargeError, LogNotOpenError, LogReadOnlyError } from '../errors';
import { encodeFrame, frameBytesOf, MAX_FRAME_BYTES } from './frame-format';
import {
  GROUP_COMMIT_MAX_BATCHES_DEFAULT,
  GROUP_COMMIT_MAX_BYTES_DEFAULT,
  GroupCommitWriter,
  type GroupCommitLimits,
} from './group-commit-writer';
import { DirectoryLock } from './lock-file';
import { PositionIndex } from './position-index';
import { OsProcessProbe, type ProcessProbe } from './process-probe';
import { readRange, type RangeReadContext } from './segment-reader';
import { listSegments, segmentRef, type SegmentRef } from './segment-files';
import { scanSegment } from './segment-scanner';
import { validateBatch } from './validate-batch';

/** Segment size at which the writer starts a new file. */
export const SEGMENT_MAX_BYTES_DEFAULT = 128 * 1024 * 1024;
/**
 * How often a read-only instance looks for new data while following: it has no in-process
 * notification from a writer in another process, so it polls the last segment's size (and the
 * directory, for a roll).
 */
export const FOLLOW_POLL_INTERVAL_MS_DEFAULT = 25;

export interface FileEventLogOptions {
  readonly dir: string;
  readonly fs?: Fs;
  readonly segmentMaxBytes?: number;
  readonly groupCommit?: Partial<GroupCommitLimits>;
  /** A reader: takes no lock, never truncates, appends are refused, follow polls. */
  readonly readOnly?: boolean;
  readonly pollIntervalMs?: number;
  /** Bytes per read syscall (tests shrink it to cross chunk boundaries); default READ_CHUNK_BYTES. */
  readonly readChunkBytes?: number;
  /** How lock owners are recognised (tests substitute one). */
  readonly processProbe?: ProcessProbe;
}

/** What the last open() cut from a torn tail, for the caller to log. */
export interface TailRecovery {
  readonly segment: string;
  readonly position: number;
  readonly bytesCut: number;
  readonly reason: string;
}

/** Where a read-only instance has verified the log up to. */
interface ReaderTail {
  readonly segment: SegmentRef;
  readonly position: number;
  readonly offset: Offset;
}

interface OpenState {
  /** Set when close() starts: appends are refused from then on. */
  closing?: boolean;
  segments: SegmentRef[];
  end: Offset;
  writer?: { lock: DirectoryLock; commit: GroupCommitWriter };
  tail?: ReaderTail;
}

/** The embedded event log: CRC-checked frames in segment files (FORMAT.md). */
export class FileEventLog implements EventLog {
  readonly backend = 'file';
  /** Set by open() when it cut a torn tail. */
  lastRecovery: TailRecovery | undefined;

  private readonly fs: Fs;
  private readonly segmentMaxBytes: number;
  private readonly limits: GroupCommitLimits;
  private readonly pollIntervalMs: number;
  private readonly probe: ProcessProbe;
  private readonly changes = new ChangeNotifier();
  private index = new PositionIndex();
  private state: OpenState | undefined;

  constructor(private readonly options: FileEventLogOptions) {
    this.fs = options.fs ?? new NodeFs();
    this.segmentMaxBytes = options.segmentMaxBytes ?? SEGMENT_MAX_BYTES_DEFAULT;
    this.limits = {
      maxBatches: options.groupCommit?.maxBatches ?? GROUP_COMMIT_MAX_BATCHES_DEFAULT,
      maxBytes: options.groupCommit?.maxBytes ?? GROUP_COMMIT_MAX_BYTES_DEFAULT,
    };
    this.pollIntervalMs = options.pollIntervalMs ?? FOLLOW_POLL_INTERVAL_MS_DEFAULT;
    this.probe = options.processProbe ?? new OsProcessProbe();
  }

  get dir(): string {
    return this.options.dir;
  }

  async open(): Promise<void> {
    if (this.state) return;
    this.index = new PositionIndex();
    this.lastRecovery = undefined;
    this.state = this.options.readOnly ? await this.openReader() : await this.openWriter();
  }

  async append(records: readonly AppendRecord[]): Promise<AppendResult> {
    const state = this.requireOpen('append');
    if (state.closing) throw new LogNotOpenError({ backend: this.backend, location: this.dir, operation: 'append' });
    if (!state.writer) throw new LogReadOnlyError({ backend: this.backend, location: this.dir });
    validateBatch(records);
    if (records.length === 0) return { offsets: [], endOffset: state.end };
    const frameBytes = frameBytesOf(records);
    if (frameBytes > MAX_FRAME_BYTES) {
      throw new BatchTooLargeError({ frameBytes, maxFrameBytes: MAX_FRAME_BYTES, records: records.length });
    }
    return state.writer.commit.append(records.length, (baseOffset) => encodeFrame(baseOffset, records, frameBytes));
  }

  async *read(options: ReadOptions): AsyncIterable<LogRecord[]> {
    const end = await this.endOffset();
    const state = this.requireOpen('read');
    const to = Math.min(options.to ?? end, end);
    yield* readRange(this.rangeContext(state), options.from, to, options.maxBatchRecords);
  }

  async *follow(options: FollowOptions): AsyncIterable<LogRecord[]> {
    const { signal } = options;
    let next = options.from;
    for (;;) {
      // A closed log ends its followers quietly, as an abort does.
      const state = this.state;
      if (signal.aborted || !state) return;
      if (state.tail) await this.refreshReaderTail(state);
      const end = state.end;
      if (next < end) {
        for await (const batch of readRange(this.rangeContext(state), next, end)) {
          if (signal.aborted) return;
          yield batch;
        }
        next = end;
        continue;
      }
      await this.changes.wait(signal, state.tail ? this.pollIntervalMs : undefined);
    }
  }

  async endOffset(): Promise<Offset> {
    const state = this.requireOpen('endOffset');
    if (state.tail) await this.refreshReaderTail(state);
    return state.end;
  }

  async close(): Promise<void> {
    const state = this.state;
    if (!state || state.closing) return;
    state.closing = true;
    if (state.writer) {
      await state.writer.commit.close();
      await state.writer.lock.release();
    }
    this.state = undefined;
    this.changes.notify();
  }

  // ---- writer ----------------------------------------------------------------------------------

  private async openWriter(): Promise<OpenState> {
    await this.fs.mkdirp(this.dir);
    const lock = await DirectoryLock.acquire(this.fs, this.dir, this.probe);
    try {
      const segments = await listSegments(this.fs, this.dir);
      if (segments.length === 0) {
        segments.push(segmentRef(this.dir, 0));
        await this.fs.openWrite(segments[0].path).then((f) => f.close());
        await this.fs.syncDir(this.dir);
      }
      const last = segments[segments.length - 1];
      const file = await this.fs.openWrite(last.path);
      try {
        const { size, end } = await this.recoverLastSegment(file, last);
        const state: OpenState = { segments, end };
        const commit = new GroupCommitWriter(
          this.fs,
          this.dir,
          { segment: last, file, size },
          end,
          this.segmentMaxBytes,
          this.limits,
          {
            durable: (endOffset, segment, position) => {
              state.end = endOffset;
              this.index.rememberRecent(segment.baseOffset, endOffset, position);
              this.changes.notify();
            },
            rolled: (segment) => state.segments.push(segment),
          },
        );
        state.writer = { lock, commit };
        return state;
      } catch (error) {
        await file.close();
        throw error;
      }
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** FORMAT.md, "Open and recovery": scan the last segment, cut a torn tail, refuse corruption. */
  private async recoverLastSegment(file: FsFile, segment: SegmentRef): Promise<{ size: number; end: Offset }> {
    const fileSize = await file.size();
    const scan = await scanSegment(file, segment, { position: 0, offset: segment.baseOffset }, fileSize);
    if (scan.tail) {
      await file.truncate(scan.validBytes);
      await file.sync();
      this.lastRecovery = {
        segment: segment.name,
        position: scan.validBytes,
        bytesCut: fileSize - scan.validBytes,
        reason: `${scan.tail.recoveryCase.label} (${scan.tail.detail})`,
      };
    }
    this.index.rememberRecent(segment.baseOffset, scan.nextOffset, scan.validBytes);
    return { size: scan.validBytes, end: scan.nextOffset };
  }

  // ---- reader ----------------------------------------------------------------------------------

  private async openReader(): Promise<OpenState> {
    const segments = await listSegments(this.fs, this.dir);
    if (segments.length === 0) {
      // No writer has opened this directory yet: wait for its first segment.
      return { segments, end: 0, tail: { segment: segmentRef(this.dir, 0), position: 0, offset: 0 } };
    }
    const last = segments[segments.length - 1];
    const file = await this.fs.openRead(last.path);
    try {
      // Judged like recovery (corruption throws), but a torn tail is only stepped around: it may
      // be a live writer's frame half written, or a dead one's that its successor will cut.
      const scan = await scanSegment(file, last, { position: 0, offset: last.baseOffset }, await file.size());
      const tail = { segment: last, position: scan.validBytes, offset: scan.nextOffset };
      return { segments, end: scan.nextOffset, tail };
    } finally {
      await file.close();
    }
  }

  /** Catches up with a writer in another process: new frames in the last segment, then new segments. */
  private async refreshReaderTail(state: OpenState): Promise<void> {
    let tail = state.tail!;
    for (;;) {
      const size = (await this.fs.sizeOf(tail.segment.path)) ?? 0;
      if (size > tail.position) {
        const file = await this.fs.openRead(tail.segment.path);
        try {
          const scan = await scanSegment(file, tail.segment, tail, size, { judgeTail: false });
          tail = { segment: tail.segment, position: scan.validBytes, offset: scan.nextOffset };
        } finally {
          await file.close();
        }
      }
      const segments = await listSegments(this.fs, this.dir);
      const next = segments.find((s) => s.baseOffset > tail.segment.baseOffset);
      // The writer fsyncs a segment completely before it starts the next one.
      if (!next || next.baseOffset !== tail.offset) {
        state.segments = segments.filter((s) => s.baseOffset <= tail.segment.baseOffset);
        break;
      }
      tail = { segment: next, position: 0, offset: next.baseOffset };
    }
    state.tail = tail;
    state.end = tail.offset;
  }

  // ---- shared ----------------------------------------------------------------------------------

  /** A read sees the segments as they are when it starts (`to` lies within them). */
  private rangeContext(state: OpenState): RangeReadContext {
    return { fs: this.fs, segments: [...state.segments], index: this.index, chunkBytes: this.options.readChunkBytes };
  }

  private requireOpen(operation: string): OpenState {
    if (!this.state) throw new LogNotOpenError({ backend: this.backend, location: this.dir, operation });
    return this.state;
  }
}
