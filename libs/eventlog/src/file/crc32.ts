import * as zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, the polynomial zlib and gzip use) over frame bytes.
 *
 * `zlib.crc32` is native (Node >= 20.15 / 22.2) and runs at memory speed; older runtimes fall
 * back to the table below, which computes the same function (a unit test checks they agree), so
 * a log written by one runs on the other.
 */
export type Crc32 = (data: Uint8Array, initial?: number) => number;

const CRC32_POLYNOMIAL_REFLECTED = 0xedb88320;

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? CRC32_POLYNOMIAL_REFLECTED ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Table-driven CRC-32; `initial` continues a previous CRC (as zlib.crc32 does). */
export const crc32Table: Crc32 = (data, initial = 0) => {
  let c = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export const crc32: Crc32 = nativeCrc32 ? (data, initial = 0) => nativeCrc32(data, initial) : crc32Table;
