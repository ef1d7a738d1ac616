import http from 'node:http';
import https from 'node:https';
import type { Clock } from '@cairn/common';
import { MasterRequestError } from '../agent-errors';
import { ANSWERS_PINGS_HEADER } from '../protocol/agent-protocol';

/** A command line longer than this is a broken master: the stream is dropped and reopened. */
export const MAX_COMMAND_LINE_BYTES = 4 * 1024 * 1024;

export interface CommandStreamOptions {
  url: string;
  token?: string;
  clock: Clock;
  /** Nothing (not even a ping) for this long: the connection is taken for dead. */
  idleTimeoutMs: number;
  /** How long the master may take to answer the request itself. */
  connectTimeoutMs: number;
  onLine(line: string): void;
}

/** Why a stream that was open ended. */
export type StreamEnd = { kind: 'ended' } | { kind: 'idle' } | { kind: 'error'; reason: string } | { kind: 'closed' };

export interface CommandStream {
  /** Resolves once the master answered 200; rejects with MasterRequestError otherwise. */
  readonly opened: Promise<void>;
  /** Resolves when the stream is over, however it ended (also when it never opened). */
  readonly ended: Promise<StreamEnd>;
  close(): void;
}

/**
 * `GET .../commands`: a long `application/x-ndjson` response, one command per line. Lines are
 * handed over as they complete; the idle watchdog runs on the injected clock.
 */
export function openCommandStream(options: CommandStreamOptions): CommandStream {
  let resolveOpened!: () => void;
  let rejectOpened!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  opened.catch(() => undefined); // callers that only await `ended` must not see an unhandled rejection
  let resolveEnded!: (end: StreamEnd) => void;
  const ended = new Promise<StreamEnd>((resolve) => (resolveEnded = resolve));

  let finished = false;
  let cancelWatchdog: (() => void) | undefined;
  const finish = (end: StreamEnd, error?: Error) => {
    if (finished) return;
    finished = true;
    cancelWatchdog?.();
    if (error) rejectOpened(error);
    resolveEnded(end);
    request.destroy();
  };
  const armWatchdog = () => {
    cancelWatchdog?.();
    cancelWatchdog = options.clock.setTimer(options.idleTimeoutMs, () => finish({ kind: 'idle' }));
  };

  const target = new URL(options.url);
  const request = (target.protocol === 'https:' ? https : http).request(
    target,
    {
      method: 'GET',
      headers: {
        accept: 'application/x-ndjson',
        // The session answers every ping (AgentSession): the master may take our silence for a cut.
        [ANSWERS_PINGS_HEADER]: '1',
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
    },
    (response) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        collectText(response).then((text) => {
          const error = new MasterRequestError({ url: options.url, status, reason: messageIn(text) });
          finish({ kind: 'error', reason: error.message }, error);
        });
        return;
      }
      request.setTimeout(0); // from now on the watchdog decides
      resolveOpened();
      armWatchdog();
      let pending = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (finished) return;
        armWatchdog();
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0 && !finished) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line !== '') options.onLine(line);
          newline = pending.indexOf('\n');
        }
        if (pending.length > MAX_COMMAND_LINE_BYTES) {
          finish({ kind: 'error', reason: `a command line exceeds ${MAX_COMMAND_LINE_BYTES} bytes` });
        }
      });
      response.on('end', () => finish({ kind: 'ended' }));
      response.on('error', (error) => finish({ kind: 'error', reason: error.message }));
      response.on('close', () => finish({ kind: 'ended' }));
    },
  );
  request.setTimeout(options.connectTimeoutMs, () => {
    const error = new MasterRequestError({
      url: options.url,
      reason: `no answer within ${options.connectTimeoutMs} ms`,
    });
    finish({ kind: 'error', reason: error.message }, error);
  });
  request.on('socket', (socket) => socket.setKeepAlive(true));
  request.on('error', (error) => {
    finish(
      { kind: 'error', reason: error.message },
      new MasterRequestError({ url: options.url, reason: error.message }),
    );
  });
  request.end();

  return {
    opened,
    ended,
    close: () => finish({ kind: 'closed' }, new MasterRequestError({ url: options.url, reason: 'closed' })),
  };
}

function collectText(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (text.length < 4096) text += chunk;
    });
    response.on('end', () => resolve(text));
    response.on('error', () => resolve(text));
  });
}

function messageIn(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON
  }
  return text.slice(0, 200) || 'no message';
}
