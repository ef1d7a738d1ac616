import type { Offset } from '../event-log';
import { CorruptLogError } from '../errors';
import type { FsFile } from '../fs/fs.port';
import { FRAME_HEADER_BYTES, FRAME_TYPE_RECORD_BATCH, inspectFrame, type FrameInspection } from './frame-format';
import { recoveryCaseFor, type RecoveryCase, type RecoveryInputs } from './recovery-cases';
import type { SegmentRef } from './segment-files';
import { READ_CHUNK_BYTES, SegmentWindow, type WindowView } from './segment-window';

export interface ScanStart {
  /** Byte position of a frame boundary to start from (0, or where a previous scan stopped). */
  readonly position: number;
  /** Offset the frame at `position` must start with. */
  readonly offset: Offset;
}

export interface ScanResult {
  /** Position after the last intact frame. */
  readonly validBytes: number;
  /** Offset after the last intact frame's records. */
  readonly nextOffset: Offset;
  /** Bytes after `validBytes` that are not intact frames, and the recovery case that judged them. */
  readonly tail?: { readonly recoveryCase: RecoveryCase; readonly position: number; readonly detail: string };
}

/**
 * Walks the frames of one segment from `start` to `end` bytes, checking each checksum and base
 * offset, and judges the first non-intact frame with the recovery table: a torn tail is reported
 * (the caller cuts it, or for a reader, stops before it), corruption throws CorruptLogError.
 *
 * `judgeTail: false` stops at the first non-intact frame without judging it: a reader polling
 * a live writer's segment may see a frame half written.
 */
export async function scanSegment(
  file: FsFile,
  segment: SegmentRef,
  start: ScanStart,
  end: number,
  { judgeTail = true, chunkBytes = READ_CHUNK_BYTES }: { judgeTail?: boolean; chunkBytes?: number } = {},
): Promise<ScanResult> {
  const window = new SegmentWindow(file, end, chunkBytes);
  let position = start.position;
  let offset = start.offset;
  for (;;) {
    const { inspection } = await inspectAt(window, position);
    const whole = inspection.kind === 'whole' ? inspection.header : undefined;
    const intact = whole !== undefined && whole.baseOffset === offset;
    if (intact) {
      position += whole.frameBytes;
      offset += whole.recordCount;
      continue;
    }
    if (inspection.kind === 'end') return { validBytes: position, nextOffset: offset };
    if (!judgeTail && whole === undefined) return { validBytes: position, nextOffset: offset };
    const follows = whole === undefined && (await validFrameFollows(window, position + 1, offset));
    const recoveryCase = recoveryCaseFor(recoveryInputs(inspection, offset, follows));
    const detail = describe(inspection, offset);
    if (recoveryCase.action === 'corrupt') {
      throw new CorruptLogError({
        segment: segment.name,
        position,
        reason: `${recoveryCase.label} (${detail})`,
        offset,
      });
    }
    return { validBytes: position, nextOffset: offset, tail: { recoveryCase, position, detail } };
  }
}

export function recoveryInputs(inspection: FrameInspection, expectedOffset: Offset, follows: boolean): RecoveryInputs {
  const kind = inspection.kind;
  return {
    atEnd: kind === 'end',
    headerWhole: kind !== 'end' && kind !== 'partial-header',
    headerSane: kind === 'runs-past-end' || kind === 'bad-checksum' || kind === 'whole',
    frameWhole: kind === 'bad-checksum' || kind === 'whole',
    checksumOk: kind === 'whole',
    offsetOk: kind === 'whole' && inspection.header.baseOffset === expectedOffset,
    validFrameFollows: follows,
  };
}

/** Inspects the frame at `position`, loading as much of the segment as the frame needs. */
export async function inspectAt(
  window: SegmentWindow,
  position: number,
): Promise<{ inspection: FrameInspection; view: WindowView }> {
  let view = await window.ensure(position, FRAME_HEADER_BYTES);
  let inspection = inspectFrame(view.buf, view.index, view.index + view.available);
  const remaining = window.endPosition - position;
  if (inspection.kind === 'runs-past-end' && view.available < remaining) {
    view = await window.ensure(position, inspection.frameBytes);
    inspection = inspectFrame(view.buf, view.index, view.index + view.available);
  }
  return { inspection, view };
}

/**
 * Is there, anywhere in [from, end), the start of an intact-looking frame (sane header, whole,
 * checksum good) whose base offset is at least `minOffset`? Candidates are found by their type
 * byte, so the scan is a memchr plus a cheap header check per candidate; the checksum (1 in 2^32
 * to pass by chance) is computed only for the few that look like headers.
 */
async function validFrameFollows(window: SegmentWindow, from: number, minOffset: Offset): Promise<boolean> {
  const end = window.endPosition;
  let position = from;
  while (position + FRAME_HEADER_BYTES <= end) {
    const view = await window.ensure(position, FRAME_HEADER_BYTES);
    const hit = view.buf.indexOf(FRAME_TYPE_RECORD_BATCH, view.index);
    const windowEnd = view.index + view.available;
    if (hit < 0 || hit >= windowEnd) {
      // No type byte in this window, so no frame starts in it (a header may cross the window's
      // end, but its first byte would have been found).
      position += view.available;
      continue;
    }
    const candidate = position + (hit - view.index);
    const { inspection } = await inspectAt(window, candidate);
    if (inspection.kind === 'whole' && inspection.header.baseOffset >= minOffset) return true;
    position = candidate + 1;
  }
  return false;
}

function describe(inspection: FrameInspection, expectedOffset: Offset): string {
  switch (inspection.kind) {
    case 'end':
      return 'end of segment';
    case 'partial-header':
      return 'fewer bytes than a frame header';
    case 'bad-header':
      return inspection.reason;
    case 'runs-past-end':
      return `frame of ${inspection.frameBytes} bytes runs past the end of the segment`;
    case 'bad-checksum':
      return `checksum mismatch in a frame of ${inspection.frameBytes} bytes`;
    case 'whole':
      return `frame starts at offset ${inspection.header.baseOffset}, expected ${expectedOffset}`;
  }
}
