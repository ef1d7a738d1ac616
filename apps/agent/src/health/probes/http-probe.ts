import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { READINESS_BODY_MAX_BYTES } from '../../protocol/agent-protocol';
import { errorCause, type Probe, type ProbeOutcome, type ReadinessOutcome } from '../probe';

/** The check runs on the task's machine: it asks the task over loopback. */
export const PROBE_HOST = '127.0.0.1';
/**
 * A health check reads and drops at most this much of a body before closing the connection, so
 * the task sees a client that read its answer rather than one that reset it, and a body that never
 * ends costs a bounded amount.
 */
export const HEALTH_BODY_DRAIN_MAX_BYTES = 64 * 1024;

export interface HttpTarget {
  scheme: 'http' | 'https';
  port: number;
  path: string;
}

/** An HTTP answer: a final response (body cut at `bodyMaxBytes`), a 1xx, or none. */
export type HttpAnswer =
  | { kind: 'response'; status: number; contentType: string; body: string }
  | { kind: 'informational'; status: number }
  | { kind: 'error'; cause: string };

/**
 * `GET <scheme>://127.0.0.1:<port><path>`, without keep-alive and without verifying certificates
 * (Marathon's HTTPS checks did not either: a task's certificate names its service, not 127.0.0.1).
 * The answer is known at the status line; the body is then read (up to `bodyMaxBytes` kept, up to
 * `drainMaxBytes` read) until it ends or the signal aborts, and the connection is closed either way.
 */
export function requestOnce(
  target: HttpTarget,
  options: { signal: AbortSignal; bodyMaxBytes: number; drainMaxBytes: number },
): Promise<HttpAnswer> {
  const { signal } = options;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ kind: 'error', cause: 'aborted' });
    const send = target.scheme === 'https' ? httpsRequest : httpRequest;
    const request: ClientRequest = send({
      host: PROBE_HOST,
      port: target.port,
      path: target.path,
      method: 'GET',
      agent: false,
      rejectUnauthorized: false,
      headers: { 'user-agent': 'cairn-agent/health-check', accept: '*/*', connection: 'close' },
    });
    let settled = false;
    const finish = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(answer);
    };
    const onAbort = () => finish({ kind: 'error', cause: 'aborted' });
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => finish({ kind: 'error', cause: errorCause(error) }));
    request.on('information', (info: { statusCode: number }) =>
      finish({ kind: 'informational', status: info.statusCode }),
    );
    request.on('upgrade', (response: IncomingMessage, socket: Socket) => {
      socket.destroy();
      finish({ kind: 'informational', status: response.statusCode ?? 101 });
    });
    request.on('response', (response) => {
      signal.removeEventListener('abort', onAbort); // from here an abort only cuts the body short
      readBody(response, options, finish);
    });
    request.end();
  });
}

function readBody(
  response: IncomingMessage,
  options: { signal: AbortSignal; bodyMaxBytes: number; drainMaxBytes: number },
  finish: (answer: HttpAnswer) => void,
): void {
  const status = response.statusCode ?? 0;
  const contentType = headerValue(response.headers['content-type']);
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let readBytes = 0;
  const done = () =>
    finish({ kind: 'response', status, contentType, body: utf8Prefix(Buffer.concat(kept), options.bodyMaxBytes) });
  if (options.signal.aborted) return done();
  options.signal.addEventListener('abort', done, { once: true });
  response.on('data', (chunk: Buffer) => {
    readBytes += chunk.length;
    if (keptBytes < options.bodyMaxBytes) {
      kept.push(chunk);
      keptBytes += chunk.length;
    }
    if (readBytes >= options.drainMaxBytes) done();
  });
  response.on('end', done);
  response.on('error', done);
  response.on('close', done);
}

/** At most `maxBytes` of UTF-8, never ending inside a character. */
export function utf8Prefix(bytes: Buffer, maxBytes: number): string {
  if (bytes.length <= maxBytes) return bytes.toString('utf8');
  let cut = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString('utf8');
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** Passes on 200-399; a 1xx is ignored with ignoreHttp1xx, else a failure (Marathon's HealthCheckWorker). */
export function httpHealthProbe(target: HttpTarget, ignoreHttp1xx: boolean): Probe<ProbeOutcome> {
  return async (signal) => {
    const answer = await requestOnce(target, {
      signal,
      bodyMaxBytes: 0,
      drainMaxBytes: HEALTH_BODY_DRAIN_MAX_BYTES,
    });
    switch (answer.kind) {
      case 'error':
        return { kind: 'failure', cause: answer.cause };
      case 'informational': {
        const cause = `HTTP ${answer.status} (informational)`;
        return ignoreHttp1xx ? { kind: 'ignored', cause } : { kind: 'failure', cause };
      }
      case 'response':
        if (answer.status >= 200 && answer.status < 400) return { kind: 'success' };
        if (answer.status >= 100 && answer.status < 200 && ignoreHttp1xx) {
          return { kind: 'ignored', cause: `HTTP ${answer.status}` };
        }
        return { kind: 'failure', cause: `HTTP ${answer.status}` };
      default: {
        const exhaustive: never = answer;
        return exhaustive;
      }
    }
  };
}

/** A readiness probe keeps the response (body cut at 1 KiB); the check decides what is ready. */
export function httpReadinessProbe(target: HttpTarget): Probe<ReadinessOutcome> {
  return async (signal) => {
    const answer = await requestOnce(target, {
      signal,
      bodyMaxBytes: READINESS_BODY_MAX_BYTES,
      drainMaxBytes: HEALTH_BODY_DRAIN_MAX_BYTES,
    });
    switch (answer.kind) {
      case 'error':
        return { kind: 'failure', cause: answer.cause };
      case 'informational':
        return { kind: 'failure', cause: `HTTP ${answer.status} (informational)` };
      case 'response':
        return answer;
      default: {
        const exhaustive: never = answer;
        return exhaustive;
      }
    }
  };
}
