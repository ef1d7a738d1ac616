import { createWriteStream } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ArtifactSource } from './artifact-path';

/**
 * Puts one artifact at `target`, streamed (the agent's event loop never waits on it), at most
 * `maxBytes`, stopped by `signal`. Throws an Error whose message says what went wrong.
 */
export async function download(
  source: ArtifactSource,
  target: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<void> {
  if (source.kind === 'file') return copyLocal(source.path, target, maxBytes);
  const response = await fetch(source.url, { signal, redirect: 'follow' });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(tooLarge(maxBytes));
  }
  if (!response.body) throw new Error('the response has no body');
  const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  await pipeline(body, sizeLimit(maxBytes), createWriteStream(target, { mode: 0o644 }), { signal });
}

async function copyLocal(path: string, target: string, maxBytes: number): Promise<void> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  if (info.size > maxBytes) throw new Error(tooLarge(maxBytes));
  await copyFile(path, target);
}

/** Fails the stream once more than `maxBytes` passed (a server may send more than it declared). */
function sizeLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > maxBytes ? new Error(tooLarge(maxBytes)) : null, chunk);
    },
  });
}

const tooLarge = (maxBytes: number) => `larger than the agent's limit of ${maxBytes} bytes per artifact`;
