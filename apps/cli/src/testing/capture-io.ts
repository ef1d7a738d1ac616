import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../cli-context';

/** CliIo whose stdout/stderr are kept as strings, for tests. */
export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(options: { stdin?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): CapturedIo {
  const stdout = collector();
  const stderr = collector();
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    // Tests never read the real environment: CAIRN_MASTER on the machine must not change them.
    env: options.env ?? {},
    signal: options.signal,
    out: stdout.text,
    err: stderr.text,
  };
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}
