import { ApiRefusedError, CliError, MasterUnreachableError, ServerError } from '../errors';

/** Maps what fetch, node:http and the API say to the CLI's typed errors (and so to exit codes). */

interface RequestLine {
  readonly method: string;
  readonly url: string;
}

/** The parts of an HTTP answer an error report needs, whichever client read it. */
export interface AnswerHead {
  readonly status: number;
  readonly statusText: string;
  readonly retryAfter?: string;
}

/** A non-2xx answer: 4xx is a refusal (exit 1), anything else the master's failure (exit 4). */
export function httpError(request: RequestLine, head: AnswerHead, bodyText: string): CliError {
  const { message, details } = describeBody(bodyText, head.statusText);
  const line = { ...request, status: head.status };
  if (head.status === 409) details.push(...lockHint(bodyText));
  if (head.status >= 400 && head.status < 500) return new ApiRefusedError(line, message, details);
  const detailText = details.length > 0 ? `: ${details.join('; ')}` : '';
  return new ServerError(line, message + detailText, head.retryAfter);
}

/** The request failed: nothing usable came back. Says why in the operator's terms. */
export function unreachable(url: string, error: unknown, timeoutMs: number): MasterUnreachableError {
  return new MasterUnreachableError(url, networkReason(error, timeoutMs));
}

export function networkReason(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (jest), where instanceof Error fails.
  const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  // fetch wraps the socket error in `cause`; node:http throws it directly.
  const { code, message: causeMessage } = (cause ?? error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return KNOWN_CODES[code] ? `${KNOWN_CODES[code]} (${code})` : code;
  // fetch itself refuses some ports (the WHATWG "bad port" list: 1, 6000, 6665-6669, ...).
  if (causeMessage === 'bad port') {
    return 'fetch refuses to connect to this port (a WHATWG "bad port"); use another port';
  }
  if (typeof causeMessage === 'string') return causeMessage;
  return typeof message === 'string' ? message : String(error);
}

const KNOWN_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is the master running?',
  ECONNRESET: 'connection reset by the master',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving',
};

/**
 * Marathon's error shapes: `{ message, details: [{ path, errors: [...] }] }` (422),
 * `{ message, details: "<parser message>" }` (400), `{ message }` (404, 409, 503).
 */
export function describeBody(bodyText: string, statusText: string): { message: string; details: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return { message: bodyText.trim() || statusText || 'no message', details: [] };
  }
  if (typeof body !== 'object' || body === null) return { message: String(body), details: [] };
  const { message, details } = body as { message?: unknown; details?: unknown };
  return {
    message: typeof message === 'string' && message !== '' ? message : statusText || bodyText.trim(),
    details: formatDetails(details),
  };
}

/**
 * Marathon's 409 for a locked app lists the locking deployments (`deployments: [{id}]`) and tells
 * the client to add `?force=true`; the operator needs the CLI's words for that. One line, or none
 * when the 409 is about something else (an app that already exists).
 */
export function lockHint(bodyText: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return [];
  }
  const deployments = (body as { deployments?: unknown } | null)?.deployments;
  if (!Array.isArray(deployments)) return [];
  const ids = deployments
    .map((d) => (d as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return [];
  const noun = ids.length === 1 ? 'deployment' : 'deployments';
  return [`locked by ${noun} ${ids.join(', ')}: retry with --force (cancels the ${noun})`];
}

function formatDetails(details: unknown): string[] {
  if (details === undefined || details === null) return [];
  if (typeof details === 'string') return [details];
  if (!Array.isArray(details)) return [JSON.stringify(details)];
  return details.map((entry) => {
    if (typeof entry !== 'object' || entry === null) return String(entry);
    const { path, errors } = entry as { path?: unknown; errors?: unknown };
    const where = typeof path === 'string' && path !== '' ? path : '/';
    const what = Array.isArray(errors) ? errors.map(String).join(', ') : JSON.stringify(entry);
    return `${where}: ${what}`;
  });
}
