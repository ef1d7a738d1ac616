import http from 'node:http';

/** Requests in flight to the master at once (scale commands are sent together). */
const MAX_SOCKETS = 128;
const REQUEST_TIMEOUT_MS = 60_000;

export interface JsonAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: http.IncomingHttpHeaders;
}

/** A keep-alive JSON client for the master's REST API (node:http, as the agents use). */
export class MasterHttp {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });

  constructor(readonly url: string) {}

  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<JsonAnswer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.url + path,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = undefined;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers });
          });
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The request, which must answer `want` (or any 2xx): else an error quoting the answer. */
  async expect<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<JsonAnswer<T>> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    return answer;
  }

  /** The log's end offset now (what the next event will be at or after). */
  async endOffset(): Promise<number> {
    const info = await this.expect<{ endOffset: number }>('GET', '/v1/info');
    return info.body.endOffset;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Polls GET /ping until it answers, or fails when `exited` says the process is gone or time runs out. */
export async function waitUntilServing(
  http: MasterHttp,
  options: { timeoutMs: number; exited: () => boolean; describe: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (options.exited()) throw new Error(`the master exited before it was ready\n${options.describe()}`);
    const ready = await http.request<unknown>('GET', '/v2/info').then(
      (answer) => answer.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the master did not answer /v2/info within ${options.timeoutMs} ms\n${options.describe()}`);
}
