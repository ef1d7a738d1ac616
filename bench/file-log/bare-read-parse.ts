import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SEGMENT_NAME = /^\d{20}\.log$/;
/** FORMAT.md, "Frame": 24-byte header; frame length at byte 4, record count at byte 20. */
const FRAME_HEADER_BYTES = 24;
const FRAME_TYPE_RECORD_BATCH = 1;

/**
 * The replay baseline: read each segment file whole, walk the frames and records by their
 * length prefixes (no checksum, no validation, no copies), JSON.parse each value. The least any
 * reader of this file format must do to get events out of it. Resolves to the records parsed.
 */
export function bareReadParse(dir: string): number {
  const segments = readdirSync(dir)
    .filter((name) => SEGMENT_NAME.test(name))
    .sort();
  let parsed = 0;
  let sink = 0;
  for (const name of segments) {
    const buf = readFileSync(join(dir, name));
    let pos = 0;
    while (pos + FRAME_HEADER_BYTES <= buf.length && buf[pos] === FRAME_TYPE_RECORD_BATCH) {
      const frameBytes = buf.readUInt32LE(pos + 4);
      const records = buf.readUInt32LE(pos + 20);
      let at = pos + FRAME_HEADER_BYTES;
      for (let i = 0; i < records; i++) {
        at += 4 + buf.readUInt32LE(at); // key
        const headers = buf.readUInt32LE(at);
        at += 4;
        for (let h = 0; h < 2 * headers; h++) at += 4 + buf.readUInt32LE(at); // header names and values
        const valueBytes = buf.readUInt32LE(at);
        at += 4;
        const event = JSON.parse(buf.toString('utf8', at, at + valueBytes)) as { type: string };
        sink += event.type.length;
        parsed++;
        at += valueBytes;
      }
      pos += frameBytes;
    }
  }
  if (parsed > 0 && sink === 0) throw new Error('bare replay parsed nothing');
  return parsed;
}
