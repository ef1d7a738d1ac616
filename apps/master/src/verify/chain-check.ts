import type { LogRecord } from '@cairn/eventlog';
import { CHAIN_GENESIS, chainOf, chainValue } from '@cairn/events';

/** A record whose chain header is wrong or missing, and why. */
export interface ChainBreak {
  readonly offset: number;
  readonly reason: string;
}

/**
 * Checks the hash chain record by record, in offset order (docs/verify.md). Records before the
 * first chained one were written by a release without the chain and are only counted; from the
 * first chained record on (whose predecessor value is CHAIN_GENESIS), every record must carry
 * sha256(previous header ‖ its value).
 */
export class ChainCheck {
  private previous: string | null = null;
  private startOffset: number | null = null;
  private chainedCount = 0;
  private unchainedCount = 0;

  /** The first chained record's offset, or null. */
  get start(): number | null {
    return this.startOffset;
  }
  get chained(): number {
    return this.chainedCount;
  }
  get unchainedBefore(): number {
    return this.unchainedCount;
  }

  /** Checks the next record; a ChainBreak names it when its header is not what the chain requires. */
  observe(record: LogRecord): ChainBreak | null {
    const header = chainOf(record);
    if (header === null) {
      if (this.previous === null) {
        this.unchainedCount++;
        return null;
      }
      return { offset: record.offset, reason: 'the record has no cairn_chain header, but the chain started before it' };
    }
    const expected = chainValue(this.previous ?? CHAIN_GENESIS, record.value);
    if (header !== expected) {
      return {
        offset: record.offset,
        reason:
          `cairn_chain is ${header.slice(0, 16)}…, but sha256(previous ‖ value) is ${expected.slice(0, 16)}…: ` +
          'the record (or the one before it) was altered after it was written',
      };
    }
    if (this.previous === null) this.startOffset = record.offset;
    this.previous = header;
    this.chainedCount++;
    return null;
  }
}
