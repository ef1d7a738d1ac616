import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { checkMarathonResponse } from './marathon-shapes';

/**
 * Response bodies are whatever the server sent; tests index into them freely and let the
 * assertions do the checking, so the default body type is deliberately untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpResponse<T = Json> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON when the response says it is JSON (and parses), else the text. */
  readonly body: T;
  readonly text: string;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  /** Sent as is (e.g. malformed JSON); wins over the JSON body. */
  readonly raw?: string | Buffer;
  readonly timeoutMs?: number;
}

export interface HttpClient {
  get<T = Json>(path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  post<T = Json>(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse<T>>;
  put<T = Json>(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse<T>>;
  delete<T = Json>(path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  request<T = Json>(method: string, path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse<T>>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * A small JSON client over node:http. No keep-alive (agent: false): the servers under test are
 * killed and restarted, and a pooled socket to a dead process would fail the next request.
 * `baseUrl` is read per request, so a handle whose master restarted on a new port keeps working.
 */
/** `headers`: sent with every request (a request's own headers win), e.g. a master's token. */
export function httpClient(baseUrl: () => string, headers: () => Record<string, string> = () => ({})): HttpClient {
  const request = <T>(method: string, path: string, json?: unknown, options: RequestOptions = {}) =>
    sendRequest<T>(new URL(path, baseUrl()), method, json, { ...options, headers: { ...headers(), ...options.headers } });
  return {
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, json, options) => request('POST', path, json, options),
    put: (path, json, options) => request('PUT', path, json, options),
    delete: (path, options) => request('DELETE', path, undefined, options),
    request,
  };
}

export function sendRequest<T>(
  url: URL,
  method: string,
  json: unknown,
  options: RequestOptions,
): Promise<HttpResponse<T>> {
  const payload = options.raw ?? (json === undefined ? undefined : JSON.stringify(json));
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = parseBody(text, res.headers);
        const status = res.statusCode ?? 0;
        try {
          // Every /v2 answer the suite sees must keep to Marathon's field sets (marathon-shapes.ts).
          checkMarathonResponse(method, url, status, body, typeof body !== 'string');
        } catch (error) {
          reject(error);
          return;
        }
        resolve({ status, headers: res.headers, body: body as T, text });
      });
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${url.href} got no answer within ${timeoutMs} ms`)),
    );
    req.on('error', (err) => reject(new Error(`${method} ${url.href} failed: ${err.message}`, { cause: err })));
    req.end(payload);
  });
}

function parseBody(text: string, headers: IncomingHttpHeaders): unknown {
  const type = headers['content-type'] ?? '';
  if (!type.includes('json') || text.length === 0) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
