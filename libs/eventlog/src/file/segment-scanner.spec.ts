import { describe, expect, it } from '@jest/globals';
import { CorruptLogError } from '../errors';
import { MemFs } from '../fs/mem-fs';
import { records } from '../testing/contract';
import { encodeFrame } from './frame-format';
import { segmentRef } from './segment-files';
import { scanSegment } from './segment-scanner';
import { READ_CHUNK_BYTES } from './segment-window';

// Three frames of a segment whose base offset is 100: offsets 100-101, 102-104, 105.
const F0 = encodeFrame(100, records('f0', 2));
const F1 = encodeFrame(102, records('f1', 3));
const F2 = encodeFrame(105, records('f2', 1));

const flip = (frame: Buffer, at: number): Buffer => {
  const copy = Buffer.from(frame);
  copy[at] ^= 0xff;
  return copy;
};
const withLength = (frame: Buffer, length: number): Buffer => {
  const copy = Buffer.from(frame);
  copy.writeUInt32LE(length, 4);
  return copy;
};

interface Want {
  /** Bytes of intact frames, and the offset after them. */
  readonly validBytes: number;
  readonly nextOffset: number;
  /** The recovery case that judged the rest, if any bytes are left. */
  readonly tail?: string;
  /** Corruption: open fails at this byte position. */
  readonly corruptAt?: number;
}

// The recovery cases of FORMAT.md, as byte layouts (TigerBeetle's recovery_cases, by example).
const CASES: { name: string; bytes: Buffer[]; want: Want }[] = [
  { name: 'an empty segment is clean', bytes: [], want: { validBytes: 0, nextOffset: 100 } },
  {
    name: 'whole frames only',
    bytes: [F0, F1, F2],
    want: { validBytes: F0.length + F1.length + F2.length, nextOffset: 106 },
  },
  {
    name: 'fewer bytes than a header at the tail is a torn tail',
    bytes: [F0, F1.subarray(0, 10)],
    want: { validBytes: F0.length, nextOffset: 102, tail: 'torn tail: fewer bytes than a header' },
  },
  {
    name: 'a frame cut in its body is a torn tail',
    bytes: [F0, F1, F2.subarray(0, F2.length - 5)],
    want: {
      validBytes: F0.length + F1.length,
      nextOffset: 105,
      tail: 'torn tail: frame runs past the end of the file',
    },
  },
  {
    name: 'zeros after the last frame are a torn tail (type 0 is never a frame)',
    bytes: [F0, Buffer.alloc(300)],
    want: { validBytes: F0.length, nextOffset: 102, tail: 'torn tail: header is not a frame header (zeros, garbage)' },
  },
  {
    name: 'garbage holding type bytes but no valid frame is a torn tail',
    bytes: [F0, Buffer.from(Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 1 : i & 0xff)))],
    want: { validBytes: F0.length, nextOffset: 102, tail: 'torn tail: header is not a frame header (zeros, garbage)' },
  },
  {
    name: 'a damaged last frame is a torn tail (indistinguishable from a torn write)',
    bytes: [F0, flip(F1, 40)],
    want: { validBytes: F0.length, nextOffset: 102, tail: 'torn tail: last frame fails its checksum' },
  },
  {
    name: 'a checksum mismatch before a valid frame is corruption',
    bytes: [F0, flip(F1, 40), F2],
    want: { validBytes: 0, nextOffset: 0, corruptAt: F0.length },
  },
  {
    name: 'a damaged header (type byte) before a valid frame is corruption',
    bytes: [F0, flip(F1, 0), F2],
    want: { validBytes: 0, nextOffset: 0, corruptAt: F0.length },
  },
  {
    name: 'a frame whose length overruns a valid frame is corruption',
    bytes: [F0, withLength(F1, F1.length + F2.length + 1000), F2],
    want: { validBytes: 0, nextOffset: 0, corruptAt: F0.length },
  },
  {
    name: 'a frame whose length stops short of its records, before a valid one, is corruption',
    bytes: [F0, withLength(F1, F1.length - 3), F2],
    want: { validBytes: 0, nextOffset: 0, corruptAt: F0.length },
  },
  {
    name: 'an intact frame with an out-of-sequence base offset (a duplicate) is corruption',
    bytes: [F0, F1, F1],
    want: { validBytes: 0, nextOffset: 0, corruptAt: F0.length + F1.length },
  },
  {
    name: 'the first frame must carry the segment base offset',
    bytes: [F1],
    want: { validBytes: 0, nextOffset: 0, corruptAt: 0 },
  },
  {
    name: 'damage in the first frame with valid frames after it is corruption at byte 0',
    bytes: [flip(F0, 30), F1, F2],
    want: { validBytes: 0, nextOffset: 0, corruptAt: 0 },
  },
];

describe('scanSegment recovery cases', () => {
  const segment = segmentRef('/log', 100);

  // Tiny chunks make frames, headers and the forward search cross window boundaries.
  for (const chunkBytes of [READ_CHUNK_BYTES, 7, 64]) {
    describe(`reading ${chunkBytes}-byte chunks`, () => {
      it.each(CASES)('$name', async ({ bytes, want }) => {
        const fs = new MemFs();
        await fs.mkdirp('/log');
        const file = await fs.openWrite(segment.path);
        const content = Buffer.concat(bytes);
        await file.writev([content], 0);
        const scanning = scanSegment(file, segment, { position: 0, offset: 100 }, content.length, { chunkBytes });
        if (want.corruptAt !== undefined) {
          const error = await scanning.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(CorruptLogError);
          expect((error as CorruptLogError).details).toMatchObject({ segment: segment.name, position: want.corruptAt });
          return;
        }
        const result = await scanning;
        expect({
          validBytes: result.validBytes,
          nextOffset: result.nextOffset,
          tail: result.tail?.recoveryCase.label,
        }).toEqual({ validBytes: want.validBytes, nextOffset: want.nextOffset, tail: want.tail });
      });
    });
  }

  it('a reader polling a live segment stops before a half-written frame without judging it', async () => {
    const fs = new MemFs();
    await fs.mkdirp('/log');
    const file = await fs.openWrite(segment.path);
    const content = Buffer.concat([F0, F1.subarray(0, 30)]);
    await file.writev([content], 0);
    const result = await scanSegment(file, segment, { position: 0, offset: 100 }, content.length, { judgeTail: false });
    expect(result).toEqual({ validBytes: F0.length, nextOffset: 102 });
  });
});
