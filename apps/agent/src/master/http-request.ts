import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { MasterRequestError } from '../agent-errors';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when it was empty or not JSON. */
  json: unknown;
  text: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  token?: string;
  body?: unknown;
  timeoutMs: number;
  /** Connection pools (keep-alive), one per protocol. */
  agents?: { http: http.Agent; https: https.Agent };
  /** Aborting ends the request at once (the agent is stopping). */
  signal?: AbortSignal;
}

/** Answers larger than this are cut off: the protocol's answers are small. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * One HTTP exchange with node:http (global fetch cuts long responses at 300 s, and the command
 * stream is long; one client for both keeps behaviour alike). Rejects with MasterRequestError
 * when there is no answer (refused, reset, timed out); any status is an answer.
 */
export function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const request = (secure ? https : http).request(
      target,
      {
        method: options.method,
        signal: options.signal,
        agent: options.agents ? (secure ? options.agents.https : options.agents.http) : undefined,
        headers: {
          accept: 'application/json',
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('error', (error) => reject(new MasterRequestError({ url, reason: String(error) })));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, json: parseJson(text), text });
        });
      },
    );
    request.setTimeout(options.timeoutMs, () => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    });
    request.on('error', (error) => reject(new MasterRequestError({ url, reason: error.message })));
    request.end(payload);
  });
}

/** The `message` of a Marathon-shaped error body, else the start of the text. */
export function messageOf(answer: HttpAnswer): string {
  const message = (answer.json as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  return answer.text.slice(0, 200) || `HTTP ${answer.status}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
