import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { formatFields, formatTable } from './table';

/**
 * The only way the CLI prints. Results go to stdout (tables for humans, JSON for scripts);
 * errors and notes go to stderr, so `cairn ... --json | jq` never sees them.
 */
export class Output {
  constructor(private readonly streams: { readonly stdout: Writable; readonly stderr: Writable }) {}

  /** A whole API answer, pretty-printed. */
  json(value: unknown): void {
    this.streams.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** One record of a stream (NDJSON). Returns false when stdout wants a `drained()` wait. */
  jsonLine(value: unknown): boolean {
    return this.streams.stdout.write(JSON.stringify(value) + '\n');
  }

  table(columns: readonly string[], rows: readonly (readonly string[])[]): void {
    this.streams.stdout.write(formatTable(columns, rows));
  }

  fields(pairs: readonly (readonly [string, string])[]): void {
    this.streams.stdout.write(formatFields(pairs));
  }

  /** One line of human output. Returns false when stdout wants a `drained()` wait. */
  line(text: string): boolean {
    return this.streams.stdout.write(text + '\n');
  }

  /** Error lines for stderr, the first prefixed with `error: `. */
  error(lines: readonly string[]): void {
    const [first = 'unknown error', ...rest] = lines;
    this.streams.stderr.write([`error: ${first}`, ...rest].join('\n') + '\n');
  }

  /** A progress or status note: stderr, so it never mixes with results. */
  note(text: string): void {
    this.streams.stderr.write(text + '\n');
  }

  /** Raw text (commander's help and its own messages). */
  writeOut(text: string): void {
    this.streams.stdout.write(text);
  }

  writeErr(text: string): void {
    this.streams.stderr.write(text);
  }

  /** Waits until stdout has flushed its buffer (a slow pipe must slow `events tail --follow`). */
  async drained(): Promise<void> {
    const stdout = this.streams.stdout;
    if (!stdout.writableNeedDrain) return;
    // A closed pipe (`| head`) never drains: stop waiting on close or error too.
    const cancel = new AbortController();
    const wake = (event: string) => once(stdout, event, { signal: cancel.signal });
    await Promise.race([wake('drain'), wake('close'), wake('error')]).catch(() => undefined);
    cancel.abort();
  }
}
