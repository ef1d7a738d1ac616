import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { crc32, crc32Table } from './crc32';

describe('crc32', () => {
  it('matches the CRC-32 check value for "123456789"', () => {
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('the table fallback computes what zlib.crc32 computes, chained or not', () => {
    const native = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
        const chained = crc32Table(b, crc32Table(a));
        expect(chained).toBe(crc32Table(Buffer.concat([a, b])));
        expect(crc32(b, crc32(a))).toBe(chained);
        if (native) expect(native(b, native(a))).toBe(chained);
      }),
    );
  });
});
