import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidTaskId, sandboxesDir, STDERR_FILE, STDOUT_FILE } from '../executor';

/** The files a sandbox serves: only the task's output, never its checkpoint or anything it wrote. */
export const SERVED_FILES = [STDOUT_FILE, STDERR_FILE] as const;
export type ServedFile = (typeof SERVED_FILES)[number];

/** One read returns at most this many bytes (Mesos pages through large files the same way). */
export const MAX_READ_BYTES = 1024 * 1024;

export interface ReadRequest {
  taskId: string;
  file: ServedFile;
  /** -1 asks for the size only. */
  offset: number;
  length: number;
}

/** Mesos's /files/read answer: `data` from `offset`; for offset -1, no data and the size as `offset`. */
export interface ReadResult {
  data: string;
  offset: number;
}

export type ReadQueryResult = { ok: true; request: ReadRequest } | { ok: false; message: string };

/** Checks `taskId`, `file`, `offset`, `length` from a query string. Pure. */
export function parseReadQuery(query: URLSearchParams): ReadQueryResult {
  const taskId = query.get('taskId') ?? '';
  if (!isValidTaskId(taskId)) return { ok: false, message: `'taskId' must name a task (got '${taskId}')` };
  const file = query.get('file') ?? '';
  if (!(SERVED_FILES as readonly string[]).includes(file)) {
    return { ok: false, message: `'file' must be one of ${SERVED_FILES.join(', ')} (got '${file}')` };
  }
  const offset = integerParam(query.get('offset'), 0);
  if (offset === undefined || offset < -1) return { ok: false, message: "'offset' must be a whole number, or -1" };
  const length = integerParam(query.get('length'), MAX_READ_BYTES);
  if (length === undefined || length < 0) return { ok: false, message: "'length' must be a whole number" };
  return { ok: true, request: { taskId, file: file as ServedFile, offset, length: Math.min(length, MAX_READ_BYTES) } };
}

/**
 * Reads from `<workDir>/sandboxes/<taskId>/<file>`. The task id was checked (a direct child of
 * sandboxes/, no `/` or `..`); symbolic links are not followed, neither for the sandbox nor for
 * the file, since a task could replace its stdout with a link to any file the agent may read.
 * Returns undefined when there is no such sandbox or file.
 */
export async function readSandboxFile(workDir: string, request: ReadRequest): Promise<ReadResult | undefined> {
  const sandbox = join(sandboxesDir(workDir), request.taskId);
  try {
    if (!(await lstat(sandbox)).isDirectory()) return undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  let handle;
  try {
    handle = await open(join(sandbox, request.file), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    if (request.offset === -1) return { data: '', offset: stats.size };
    const wanted = Math.max(0, Math.min(request.length, stats.size - request.offset));
    if (wanted === 0) return { data: '', offset: request.offset };
    const buffer = Buffer.alloc(wanted);
    const { bytesRead } = await handle.read(buffer, 0, wanted, request.offset);
    return { data: completeUtf8(buffer.subarray(0, bytesRead)).toString('utf8'), offset: request.offset };
  } finally {
    await handle.close();
  }
}

/**
 * Cuts a UTF-8 sequence split by the end of the chunk, so `data` never ends in a replacement
 * character and the next read (at offset + bytes of data) starts on a character boundary.
 */
export function completeUtf8(chunk: Buffer): Buffer {
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the last lead byte.
  let lead = chunk.length - 1;
  while (lead >= 0 && lead >= chunk.length - 4 && (chunk[lead] & 0xc0) === 0x80) lead--;
  if (lead < 0 || lead < chunk.length - 4) return chunk;
  const byte = chunk[lead];
  const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return chunk.length - lead < needed ? chunk.subarray(0, lead) : chunk;
}

function integerParam(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
