import { inspect } from 'node:util';
import type { LogRecord, Offset } from '../event-log';

/** Marks headers not decoded yet (undefined means the record has none). */
const NOT_DECODED: unique symbol = Symbol('not decoded');

/**
 * A record read from a segment. The value is a view into the read buffer (no copy); the key and
 * the headers stay as bytes until first asked for, then are decoded once and kept. Replay reads
 * only `offset` and `value`, and turning a key and six CloudEvents headers into JS strings for
 * every record was most of the read cost (FORMAT.md, "Reading").
 *
 * The frame's inner lengths were checked when the record was read (decodeRecords), so decoding
 * here never fails. The bytes are never reused: SegmentWindow reads every chunk into a fresh
 * buffer.
 *
 * `key` and `headers` are accessors on the prototype, not own properties: property access, `in`,
 * JSON.stringify (toJSON) and util.inspect see them; an object spread, `Object.keys` and jest's
 * `toEqual` against a plain object do not (copy them by name, or compare `toJSON()`).
 */
export class FileLogRecord implements LogRecord {
  readonly #frame: Buffer;
  /** Index in #frame of the record's first byte (its keyBytes field). */
  readonly #at: number;
  #key: string | undefined;
  #headers: Readonly<Record<string, string>> | undefined | typeof NOT_DECODED;

  constructor(
    readonly offset: Offset,
    readonly value: Buffer,
    frame: Buffer,
    at: number,
  ) {
    this.#frame = frame;
    this.#at = at;
    this.#key = undefined;
    this.#headers = NOT_DECODED;
  }

  get key(): string {
    if (this.#key === undefined) {
      const keyBytes = this.#frame.readUInt32LE(this.#at);
      this.#key = this.#frame.toString('utf8', this.#at + 4, this.#at + 4 + keyBytes);
    }
    return this.#key;
  }

  /** Undefined when the record was appended without headers (or with an empty set). */
  get headers(): Readonly<Record<string, string>> | undefined {
    if (this.#headers === NOT_DECODED) {
      this.#headers = decodeHeaders(this.#frame, this.#at + 4 + this.#frame.readUInt32LE(this.#at));
    }
    return this.#headers;
  }

  /** What JSON.stringify and loggers see: the record as a plain object. */
  toJSON(): LogRecord {
    const { offset, key, value, headers } = this;
    return headers === undefined ? { offset, key, value } : { offset, key, value, headers };
  }

  /** console.log and util.inspect show the key and headers too. */
  [inspect.custom](_depth: number, options: object, nodeInspect: typeof inspect): string {
    return `FileLogRecord ${nodeInspect(this.toJSON(), options)}`;
  }
}

/** Decodes the headers whose headerCount field is at `at` (lengths already checked). */
function decodeHeaders(frame: Buffer, at: number): Record<string, string> | undefined {
  const count = frame.readUInt32LE(at);
  if (count === 0) return undefined;
  const headers: Record<string, string> = {};
  let pos = at + 4;
  for (let h = 0; h < count; h++) {
    const nameBytes = frame.readUInt32LE(pos);
    const name = frame.toString('utf8', pos + 4, pos + 4 + nameBytes);
    pos += 4 + nameBytes;
    const valueBytes = frame.readUInt32LE(pos);
    const value = frame.toString('utf8', pos + 4, pos + 4 + valueBytes);
    // An assignment to '__proto__' would set the prototype instead of storing the header.
    if (name === '__proto__')
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    else headers[name] = value;
    pos += 4 + valueBytes;
  }
  return headers;
}
