import { randomBytes } from 'node:crypto';

/**
 * Ids come from an injected, seeded source so a simulation run is reproducible from its seed.
 * In production the seed itself is random per process start; every id it produces is recorded
 * in the events that use it, so replay never needs the source again.
 */
export interface IdSource {
  /** A version-4-shaped UUID. */
  uuid(): string;
}

/** xoshiro128** : small, fast, good enough for ids and tie-breaks (not for secrets). */
export class SeededRandom {
  private s: Uint32Array;
  constructor(seed: number | bigint | string) {
    // splitmix32 expands the seed into four non-zero words.
    let x = typeof seed === 'string' ? hashString(seed) : Number(BigInt.asUintN(32, BigInt(seed)));
    this.s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0 || 1;
    }
  }
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }
}

export class SeededIdSource implements IdSource {
  private readonly random: SeededRandom;
  constructor(seed: number | bigint | string) {
    this.random = new SeededRandom(seed);
  }
  uuid(): string {
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const w = this.random.nextUint32();
      b[i] = w & 0xff;
      b[i + 1] = (w >>> 8) & 0xff;
      b[i + 2] = (w >>> 16) & 0xff;
      b[i + 3] = w >>> 24;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Buffer.from(b).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** A fresh random seed for a production process (recorded in its startup log line). */
export function randomSeed(): string {
  return randomBytes(8).toString('hex');
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
