import fc from 'fast-check';
import type { FsFile } from '../fs/fs.port';
import { SegmentWindow } from './segment-window';

/** A file in memory that counts the bytes read from it, and can fail reads. */
function memoryFile(bytes: Buffer, failAt?: number): FsFile & { bytesRead: number } {
  const file = {
    path: 'segment',
    bytesRead: 0,
    async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
      if (failAt !== undefined && position <= failAt && failAt < position + length) throw new Error('EIO');
      const n = bytes.copy(buffer, offset, position, Math.min(bytes.length, position + length));
      file.bytesRead += n;
      return n;
    },
    writev: async () => undefined,
    sync: async () => undefined,
    truncate: async () => undefined,
    size: async () => bytes.length,
    close: async () => undefined,
  };
  return file;
}

const source = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251));

describe('SegmentWindow', () => {
  it('walks a file frame by frame with the right bytes, reading ahead, each byte read once', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Frames up to a chunk long (a chunk is 4 MiB; frames are group-commit batches, far smaller).
        fc
          .integer({ min: 4, max: 64 })
          .chain((chunk) =>
            fc.tuple(fc.array(fc.integer({ min: 1, max: chunk }), { minLength: 1, maxLength: 60 }), fc.constant(chunk)),
          ),
        async ([frames, chunkBytes]) => {
          const bytes = source(frames.reduce((a, b) => a + b, 0));
          const file = memoryFile(bytes);
          const window = new SegmentWindow(file, bytes.length, chunkBytes);
          let pos = 0;
          for (const frame of frames) {
            // As inspectAt does: the header first, then the whole frame.
            await window.ensure(pos, Math.min(4, frame));
            const view = await window.ensure(pos, frame);
            expect(view.available).toBeGreaterThanOrEqual(frame);
            expect(view.buf.subarray(view.index, view.index + frame)).toEqual(bytes.subarray(pos, pos + frame));
            pos += frame;
          }
          // Read ahead never reads past the end, and a sequential walk reads no byte twice but the
          // frame that crosses the first chunk's end (read before reading ahead starts).
          expect(file.bytesRead).toBeLessThanOrEqual(bytes.length + Math.max(...frames));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads nothing ahead for a read that stays in its first chunk', async () => {
    const bytes = source(1000);
    const file = memoryFile(bytes);
    const window = new SegmentWindow(file, bytes.length, 100);
    await window.ensure(10, 50);
    await new Promise((resolve) => setImmediate(resolve));
    expect(file.bytesRead).toBe(100);
  });

  it('a failed read ahead is read again when its bytes are needed, and fails only then', async () => {
    const bytes = source(300);
    const window = new SegmentWindow(memoryFile(bytes, 250), bytes.length, 100);
    await window.ensure(0, 100);
    const second = await window.ensure(100, 100); // goes on: reads [200, 300) ahead, which fails
    expect(second.buf.subarray(second.index, second.index + 100)).toEqual(bytes.subarray(100, 200));
    await expect(window.ensure(200, 100)).rejects.toThrow('EIO');
  });
});
