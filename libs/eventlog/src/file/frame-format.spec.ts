import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { inspect } from 'node:util';
import type { AppendRecord, LogRecord } from '../event-log';
import { decodeRecords, encodeFrame, FRAME_HEADER_BYTES, inspectFrame, type FrameHeader } from './frame-format';

const BASE = 40;

function decode(frame: Buffer, from = 0, to = Number.MAX_SAFE_INTEGER): { ok: boolean; out: LogRecord[] } {
  const inspection = inspectFrame(frame, 0, frame.length);
  if (inspection.kind !== 'whole') throw new Error(`frame is ${inspection.kind}`);
  const out: LogRecord[] = [];
  return { ok: decodeRecords(frame, 0, inspection.header, from, to, out), out };
}

/** What a record holds, as plain data (headers absent and empty are the same). */
function plain(r: AppendRecord): { key: string; value: string; headers: Record<string, string> } {
  return { key: r.key, value: r.value.toString('hex'), headers: { ...(r.headers ?? {}) } };
}

const arbitraryRecord: fc.Arbitrary<AppendRecord> = fc.record(
  {
    key: fc.string({ unit: 'binary', maxLength: 12 }),
    value: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    headers: fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }), {
      maxKeys: 4,
    }),
  },
  { requiredKeys: ['key', 'value'] },
);

describe('decodeRecords', () => {
  it('gives back every record of a frame, in the requested range, with its offset', () => {
    fc.assert(
      fc.property(fc.array(arbitraryRecord, { minLength: 1, maxLength: 8 }), fc.nat(9), fc.nat(9), (records, a, b) => {
        const [from, to] = [BASE + Math.min(a, b), BASE + Math.max(a, b)];
        const { ok, out } = decode(encodeFrame(BASE, records), from, to);
        expect(ok).toBe(true);
        const wanted = records
          .map((r, i) => ({ offset: BASE + i, ...plain(r) }))
          .filter((r) => r.offset >= from && r.offset < to);
        expect(out.map((r) => ({ offset: r.offset, ...plain(r) }))).toEqual(wanted);
      }),
    );
  });

  it('refuses, without throwing, a frame whose inner lengths disagree with its size', () => {
    const frame = encodeFrame(BASE, [{ key: 'k', value: Buffer.from('v'), headers: { h: 'x' } }]);
    const header: FrameHeader = { frameBytes: frame.length, baseOffset: BASE, recordCount: 1 };
    // Record layout: keyBytes@24 key@28 headerCount@29 nameBytes@33 name@37 headerValueBytes@38 headerValue@42
    // valueBytes@43 value@47 (48 bytes in all).
    const damaged: Array<[string, number, number]> = [
      ['key length past the frame', 24, 1000],
      ['header count past the frame', 29, 0xffff_ffff],
      ['header name length past the frame', 33, 1000],
      ['header value length past the frame', 38, 1000],
      ['value length past the frame', 43, 1000],
      ['value shorter than the frame', 43, 0],
    ];
    for (const [name, at, bytes] of damaged) {
      const copy = Buffer.from(frame);
      copy.writeUInt32LE(bytes, at);
      expect({ name, ok: decodeRecords(copy, 0, header, 0, Infinity, []) }).toEqual({ name, ok: false });
    }
    expect(decodeRecords(frame, 0, { ...header, recordCount: 2 }, 0, Infinity, [])).toBe(false);
    expect(decodeRecords(frame, 0, header, 0, Infinity, [])).toBe(true);
  });
});

describe('records read from a frame', () => {
  const records: AppendRecord[] = [
    {
      key: 'app/ünïcode/🚀',
      value: Buffer.from('{"a":1}'),
      headers: { ce_type: 'AppScaled', 'x-é': 'ü ✓', __proto__x: 'y' },
    },
    { key: '', value: Buffer.alloc(0) },
    { key: 'empty', value: Buffer.from([0, 255]), headers: {} },
  ];

  it('decode the key and headers on first access, once', () => {
    const frame = encodeFrame(BASE, records);
    const [first] = decode(frame).out;
    const keyAt = FRAME_HEADER_BYTES + 4;
    frame[keyAt] = 'A'.charCodeAt(0); // still bytes: the change shows
    expect(first.key).toBe('App/ünïcode/🚀');
    frame[keyAt] = 'B'.charCodeAt(0); // decoded and kept: it does not
    expect(first.key).toBe('App/ünïcode/🚀');
    expect(first.headers).toBe(first.headers);
  });

  it('hold headers as appended, none as undefined, and a header named __proto__ as a header', () => {
    const withProto: AppendRecord = {
      key: 'k',
      value: Buffer.alloc(1),
      headers: JSON.parse('{"__proto__":"p","b":"c"}'),
    };
    const out = decode(encodeFrame(BASE, [...records, withProto])).out;
    expect(out[0].headers).toEqual(records[0].headers);
    expect(out[1].headers).toBeUndefined();
    expect(out[2].headers).toBeUndefined();
    expect(Object.entries(out[3].headers!)).toEqual([
      ['__proto__', 'p'],
      ['b', 'c'],
    ]);
    expect(Object.getPrototypeOf(out[3].headers)).toBe(Object.prototype);
  });

  it('show key and headers to JSON.stringify and util.inspect, and values are views of the frame', () => {
    const frame = encodeFrame(BASE, records);
    const [first, second] = decode(frame).out;
    expect(JSON.parse(JSON.stringify(first))).toEqual({
      offset: BASE,
      key: records[0].key,
      headers: records[0].headers,
      value: { type: 'Buffer', data: [...records[0].value] },
    });
    expect(JSON.parse(JSON.stringify(second))).toEqual({
      offset: BASE + 1,
      key: '',
      value: { type: 'Buffer', data: [] },
    });
    expect(inspect(first)).toContain("key: 'app/ünïcode/🚀'");
    expect(first.value.buffer).toBe(frame.buffer);
  });
});
