import type { HttpResponse } from './http-client';

/** The X-Cairn-Offset of a write: the offset of its last event; undefined when nothing was written. */
export function writeOffset(res: HttpResponse): number | undefined {
  const raw = res.headers['x-cairn-offset'];
  if (raw === undefined) return undefined;
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`X-Cairn-Offset '${String(raw)}' is not an offset`);
  return offset;
}

/** Like writeOffset, but the write must have written something. */
export function requireWriteOffset(res: HttpResponse): number {
  const offset = writeOffset(res);
  if (offset === undefined) {
    throw new Error(
      `expected an X-Cairn-Offset header on a ${res.status} answer; headers: ${JSON.stringify(res.headers)}`,
    );
  }
  return offset;
}

/** A one-line summary of a response, for assertion messages. */
export function describeResponse(res: HttpResponse): string {
  return `${res.status} ${res.text.length > 500 ? `${res.text.slice(0, 500)}…` : res.text}`;
}

/**
 * Marathon's validation error: `{ message, details: [{ path, errors: [string] }] }`. Returns
 * the problems found (empty when the body has the shape), so a test can print them.
 */
export function marathonValidationProblems(body: unknown): string[] {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null) return [`body is not an object: ${JSON.stringify(body)}`];
  const { message, details } = body as { message?: unknown; details?: unknown };
  if (typeof message !== 'string' || message.length === 0)
    problems.push(`message is not a non-empty string: ${JSON.stringify(message)}`);
  if (!Array.isArray(details) || details.length === 0) {
    problems.push(`details is not a non-empty array: ${JSON.stringify(details)}`);
    return problems;
  }
  for (const detail of details as unknown[]) {
    const { path, errors } = (detail ?? {}) as { path?: unknown; errors?: unknown };
    if (typeof path !== 'string' || !path.startsWith('/'))
      problems.push(`detail path is not a '/…' string: ${JSON.stringify(detail)}`);
    if (!Array.isArray(errors) || errors.length === 0 || !errors.every((e) => typeof e === 'string' && e.length > 0)) {
      problems.push(`detail errors is not a non-empty string array: ${JSON.stringify(detail)}`);
    }
  }
  return problems;
}
