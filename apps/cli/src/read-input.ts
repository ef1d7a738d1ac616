import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from './errors';

/** Reads a JSON document from a file, or from stdin when the name is `-`. Failures name the input (exit 2). */
export async function readJsonInput(file: string, stdin: Readable): Promise<unknown> {
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = file === '-' ? await readAll(stdin) : await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot read ${name}: ${describeReadError(reason, error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * An app definition (a JSON object) from a file or stdin (`-`). `undefined` is stdin by default:
 * then a terminal is refused rather than waited on, or `cairn apps update /a` without input would
 * hang silently. An explicit `-` reads a terminal too (type the JSON, then Ctrl-D).
 */
export async function readAppDefinition(source: string | undefined, stdin: Readable): Promise<Record<string, unknown>> {
  if (source === undefined && (stdin as { isTTY?: boolean }).isTTY) {
    throw new UsageError('no app definition: give --file FILE, or pipe the JSON on stdin');
  }
  const file = source ?? '-';
  const definition = await readJsonInput(file, stdin);
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    const got = Array.isArray(definition) ? 'an array' : definition === null ? 'null' : typeof definition;
    throw new UsageError(`${file === '-' ? 'stdin' : file}: an app definition must be a JSON object, got ${got}`);
  }
  return definition as Record<string, unknown>;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function describeReadError(code: string, error: unknown): string {
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}
