/**
 * Byte accounting for sandbox files read with Mesos's /files/read semantics: `data` is the file
 * from `offset` decoded as UTF-8, cut before a character the read split, so the next read starts
 * at `offset + (UTF-8 bytes of data)`. Pure.
 */
export interface FileChunk {
  readonly data: string;
  readonly offset: number;
}

export interface PrintableChunk {
  /** What to print. */
  readonly text: string;
  /** Where the next read starts. */
  readonly nextOffset: number;
}

const REPLACEMENT = '\uFFFD';
/** A UTF-8 character has at most 3 continuation bytes after its lead byte. */
const CONTINUATION_BYTES_MAX = 3;

/**
 * `startsMidCharacter`: the read began at an arbitrary byte (`--tail N`), which may be inside a
 * character. Its continuation bytes decode to one U+FFFD each (WHATWG decoding), 3 bytes of UTF-8
 * once re-encoded: they are dropped and counted as the single bytes they were, or the next offset
 * would run past bytes never printed.
 */
export function printableChunk(chunk: FileChunk, options: { startsMidCharacter?: boolean } = {}): PrintableChunk {
  let text = chunk.data;
  let skippedBytes = 0;
  if (options.startsMidCharacter) {
    while (skippedBytes < CONTINUATION_BYTES_MAX && text.startsWith(REPLACEMENT)) {
      text = text.slice(REPLACEMENT.length);
      skippedBytes++;
    }
  }
  return { text, nextOffset: chunk.offset + skippedBytes + Buffer.byteLength(text, 'utf8') };
}

/** The answer of a files read, checked: undefined when it is not `{ data: string, offset: number }`. */
export function asFileChunk(body: unknown): FileChunk | undefined {
  const candidate = body as Partial<FileChunk> | null | undefined;
  if (typeof candidate?.data !== 'string' || !Number.isSafeInteger(candidate.offset)) return undefined;
  return candidate as FileChunk;
}
