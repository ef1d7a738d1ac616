import type { Offset } from '../event-log';

/**
 * One remembered frame boundary per this many bytes of a segment, at most. Small enough that a
 * short read (`why` reads a dozen short ranges) walks and checksums little before its first
 * record; 16,384 entries per GiB of log.
 */
export const POSITION_INDEX_INTERVAL_BYTES = 64 * 1024;
/** Exact boundaries kept besides the sparse ones: where recent reads and writes ended. */
export const RECENT_POSITIONS_MAX = 16;

export interface FramePosition {
  /** Offset of the first record of the frame that starts at `position`. */
  readonly offset: Offset;
  readonly position: number;
}

interface RecentPosition extends FramePosition {
  readonly segmentBase: Offset;
}

/**
 * A sparse, in-memory index of frame boundaries per segment, learnt from recovery, appends and
 * reads, so a read or a follower resuming at an offset starts near it instead of at the
 * segment's start. It holds only boundaries of frames that were read or written intact, so it is
 * never wrong about the bytes on disk (the log never rewrites such a frame).
 *
 * Size: one entry per POSITION_INDEX_INTERVAL_BYTES of log, plus RECENT_POSITIONS_MAX.
 */
export class PositionIndex {
  private readonly bySegment = new Map<Offset, FramePosition[]>();
  private recent: RecentPosition[] = [];

  /** Remembers a boundary if it is at least the interval past the one below it. */
  remember(segmentBase: Offset, offset: Offset, position: number): void {
    let entries = this.bySegment.get(segmentBase);
    if (!entries) this.bySegment.set(segmentBase, (entries = []));
    const i = upperBound(entries, offset);
    const below = entries[i - 1];
    if (below?.offset === offset) return;
    if (position - (below?.position ?? 0) < POSITION_INDEX_INTERVAL_BYTES) return;
    entries.splice(i, 0, { offset, position });
  }

  /** Remembers an exact boundary where a read stopped or a write ended (a follower resumes there). */
  rememberRecent(segmentBase: Offset, offset: Offset, position: number): void {
    this.recent = this.recent.filter((r) => !(r.segmentBase === segmentBase && r.offset === offset));
    this.recent.push({ segmentBase, offset, position });
    if (this.recent.length > RECENT_POSITIONS_MAX) this.recent.shift();
  }

  /** The best known boundary at or below `offset` in that segment, or the segment's start. */
  floor(segmentBase: Offset, offset: Offset): FramePosition {
    const entries = this.bySegment.get(segmentBase);
    let best: FramePosition = (entries ? entries[upperBound(entries, offset) - 1] : undefined) ?? {
      offset: segmentBase,
      position: 0,
    };
    for (const r of this.recent) {
      if (r.segmentBase === segmentBase && r.offset <= offset && r.offset > best.offset) best = r;
    }
    return best;
  }
}

/** Index of the first entry whose offset is > `offset`. */
function upperBound(entries: readonly FramePosition[], offset: Offset): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
