import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CliError, MasterUnreachableError, ServerError } from '../errors';
import { AnswerHead, httpError, unreachable } from './api-errors';

import { DEFAULT_MASTER_URL } from '@cairn/common';

export { DEFAULT_MASTER_URL };
/** A whole request (connect, answer, body); writes answer once durable, which is fast. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface MasterReply<T> {
  readonly status: number;
  readonly body: T;
  /** X-Cairn-Offset: the offset of the last event the request wrote (absent when nothing changed). */
  readonly offset?: number;
  /**
   * X-Cairn-Ignored-Fields: top-level fields of a written app definition the master does not
   * know and dropped (a typo such as `instanses` would otherwise pass silently). Absent when none.
   */
  readonly ignoredFields?: readonly string[];
}

/**
 * The master's HTTP API over global fetch. Every failure leaves as a typed CLI error: 4xx
 * ApiRefusedError, 5xx ServerError, no answer MasterUnreachableError.
 */
export class MasterClient {
  private readonly timeoutMs: number;
  /**
   * `--master a,b,c`: the masters of one cluster. Any of them answers (standbys serve reads and
   * forward writes to the leader), so a request goes to the first that can be reached.
   */
  private masters: string[];

  /** `Authorization` for every request when CAIRN_TOKEN is set (a master with CAIRN_AUTH_FILE asks for it). */
  private readonly authorization: Record<string, string>;

  constructor(baseUrl: string, options: { timeoutMs?: number; token?: string } = {}) {
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.authorization = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.masters = baseUrl
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '');
    if (this.masters.length === 0) this.masters = [DEFAULT_MASTER_URL];
  }

  /** The master requests go to first (the last one that answered). */
  get baseUrl(): string {
    return this.masters[0]!;
  }

  get<T>(path: string): Promise<MasterReply<T>> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<MasterReply<T>> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<MasterReply<T>> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<MasterReply<T>> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<MasterReply<T>> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<MasterReply<T>> {
    let firstError: unknown;
    for (let i = 0; i < this.masters.length; i++) {
      try {
        return await this.requestOne<T>(method, path, body);
      } catch (error) {
        // Only an unreachable master is skipped: any answer, an error included, is the cluster's.
        if (!(error instanceof MasterUnreachableError)) throw error;
        firstError ??= error;
        this.masters.push(this.masters.shift()!);
      }
    }
    throw firstError;
  }

  private async requestOne<T>(method: string, path: string, body?: unknown): Promise<MasterReply<T>> {
    const url = this.url(path);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        signal,
        headers: { ...(body === undefined ? { accept: 'application/json' } : JSON_HEADERS), ...this.authorization },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.text();
    } catch (error) {
      throw unreachable(url, error, this.timeoutMs);
    }
    if (!response.ok) {
      const head = {
        status: response.status,
        statusText: response.statusText,
        retryAfter: response.headers.get('retry-after') ?? undefined,
      };
      throw httpError({ method, url }, head, text);
    }
    return {
      status: response.status,
      body: parseJson<T>({ method, url, status: response.status }, text),
      offset: offsetOf(response),
      ignoredFields: ignoredFieldsOf(response),
    };
  }

  /**
   * A streaming GET (NDJSON): yields each line as it arrives until the server ends the body
   * or `signal` aborts (then the iteration just stops). The timeout covers the wait for the
   * answer's headers only: a quiet stream is normal (an idle cluster writes nothing). Uses
   * node:http because fetch (undici) drops a body that is silent for 300 s.
   */
  async *lines(path: string, signal: AbortSignal): AsyncGenerator<string> {
    const url = this.url(path);
    let response: IncomingMessage;
    try {
      response = await openStream(url, signal, this.timeoutMs, this.authorization);
    } catch (error) {
      if (signal.aborted) return;
      throw unreachable(url, error, this.timeoutMs);
    }
    try {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        throw httpError({ method: 'GET', url }, answerHead(response), await readText(response));
      }
      response.setEncoding('utf8');
      let buffered = '';
      for await (const chunk of response as AsyncIterable<string>) {
        const lines = (buffered + chunk).split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') yield line;
      }
      if (buffered.trim() !== '') yield buffered;
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof CliError) throw error;
      throw unreachable(url, error, this.timeoutMs);
    } finally {
      response.destroy();
    }
  }

  /** Base URL + path, keeping any path prefix of the base (a master behind a proxy). */
  url(path: string): string {
    return this.baseUrl.replace(/\/+$/, '') + path;
  }
}

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

function parseJson<T>(request: { method: string; url: string; status: number }, text: string): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ServerError(request, `the answer is not JSON (${(error as Error).message}): ${text.slice(0, 200)}`);
  }
}

function offsetOf(response: Response): number | undefined {
  const raw = response.headers.get('x-cairn-offset');
  const offset = raw === null ? NaN : Number(raw);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

function ignoredFieldsOf(response: Response): string[] | undefined {
  const fields = (response.headers.get('x-cairn-ignored-fields') ?? '')
    .split(',')
    .map((field) => decodeField(field.trim()))
    .filter((field) => field !== '');
  return fields.length > 0 ? fields : undefined;
}

/** The master percent-encodes each name (a header holds visible ASCII only). */
function decodeField(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** Resolves with the answer once its headers arrive; rejects on a network error or after `timeoutMs`. */
function openStream(
  url: string,
  signal: AbortSignal,
  timeoutMs: number,
  authorization: Record<string, string>,
): Promise<IncomingMessage> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'application/x-ndjson', ...authorization }, signal });
    const timer = setTimeout(() => req.destroy(new DOMException('no answer', 'TimeoutError')), timeoutMs);
    req.once('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

function answerHead(response: IncomingMessage): AnswerHead {
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', retryAfter };
}

async function readText(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response as AsyncIterable<string>) text += chunk;
  return text;
}
