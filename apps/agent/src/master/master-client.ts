import http from 'node:http';
import https from 'node:https';
import type { Clock } from '@cairn/common';
import { AgentTokenRefusedError, MasterRequestError } from '../agent-errors';
import {
  commandsPath,
  pongPath,
  REGISTER_PATH,
  registerAnswerSchema,
  statusAnswerSchema,
  statusBatchAnswerSchema,
  statusesPath,
  statusPath,
  type RegisterAnswer,
  type RegisterRequest,
  type StatusUpdate,
} from '../protocol/agent-protocol';
import type { SendOutcome } from '../status/status-update-queue';
import { openCommandStream, type CommandStream } from './command-stream';
import { httpRequest, messageOf, type HttpAnswer } from './http-request';

/** A standby answers 307 to the leader; more hops than this is a loop. */
export const MAX_REDIRECTS = 3;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Pooled connections per master for status updates (they go out in parallel, one per task). */
const MAX_SOCKETS = 16;
/** Node's own default for idle keep-alive sockets. */
const DEFAULT_MAX_FREE_SOCKETS = 256;

export interface MasterClientOptions {
  token?: string;
  clock: Clock;
  requestTimeoutMs?: number;
  /** Keep-alive pool size for registrations and status updates (the simulator shares one pool among many agents). */
  maxSockets?: number;
  /** Idle keep-alive sockets kept open (Node's default: 256); the rest are closed after use. */
  maxFreeSockets?: number;
}

export interface Registration {
  /** The base URL of the master that answered (after redirects): the stream and updates go there. */
  masterUrl: string;
  answer: RegisterAnswer;
}

/** The agent's side of docs/agent-protocol.md over HTTP. */
export class MasterClient {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly timeoutMs: number;

  constructor(private readonly options: MasterClientOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const maxSockets = options.maxSockets ?? MAX_SOCKETS;
    const maxFreeSockets = options.maxFreeSockets ?? DEFAULT_MAX_FREE_SOCKETS;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets }),
    };
  }

  /**
   * `POST /internal/v1/agents/register`, following a standby's redirect to the leader. Throws
   * AgentTokenRefusedError on 401, MasterRequestError on anything but a well-formed 200.
   */
  async register(masterUrl: string, body: RegisterRequest, signal?: AbortSignal): Promise<Registration> {
    let base = masterUrl;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const url = base + REGISTER_PATH;
      const answer = await this.post(url, body, signal);
      const location = answer.headers.location;
      if ((answer.status === 307 || answer.status === 308) && location) {
        base = baseOf(new URL(location, url).toString(), REGISTER_PATH);
        continue;
      }
      if (answer.status === 401) throw new AgentTokenRefusedError({ url, message: messageOf(answer) });
      if (answer.status !== 200) {
        throw new MasterRequestError({ url, status: answer.status, reason: messageOf(answer) });
      }
      const parsed = registerAnswerSchema.safeParse(answer.json);
      if (!parsed.success) {
        throw new MasterRequestError({ url, status: 200, reason: `unexpected answer: ${answer.text.slice(0, 200)}` });
      }
      return { masterUrl: base, answer: parsed.data };
    }
    throw new MasterRequestError({ url: masterUrl + REGISTER_PATH, reason: `more than ${MAX_REDIRECTS} redirects` });
  }

  /** `POST .../status`: one delivery attempt, classified for the status update queue. */
  async postStatus(masterUrl: string, agentId: string, update: StatusUpdate): Promise<SendOutcome> {
    let answer: HttpAnswer;
    try {
      answer = await this.post(masterUrl + statusPath(agentId), update);
    } catch (error) {
      return { kind: 'failed', reason: (error as Error).message };
    }
    if (answer.status === 200) {
      const parsed = statusAnswerSchema.safeParse(answer.json);
      if (parsed.success && parsed.data.ack === update.updateId) return { kind: 'acked' };
      return { kind: 'failed', reason: `200 without the ack of ${update.updateId}: ${answer.text.slice(0, 200)}` };
    }
    return outcomeOf(answer.status, messageOf(answer));
  }

  /**
   * `POST .../statuses`: one delivery attempt of several updates (of different tasks), one outcome
   * each, in order. A request that fails as a whole fails every update in it (each is retried).
   */
  async postStatuses(masterUrl: string, agentId: string, updates: readonly StatusUpdate[]): Promise<SendOutcome[]> {
    const failAll = (reason: string): SendOutcome[] => updates.map(() => ({ kind: 'failed', reason }));
    let answer: HttpAnswer;
    try {
      answer = await this.post(masterUrl + statusesPath(agentId), { updates });
    } catch (error) {
      return failAll((error as Error).message);
    }
    // A master of an earlier release has no .../statuses (its router answers 404): each update
    // goes the way it knows, so agents may be upgraded before their masters.
    if (answer.status === 404) return Promise.all(updates.map((u) => this.postStatus(masterUrl, agentId, u)));
    if (answer.status !== 200) return failAll(`HTTP ${answer.status}: ${messageOf(answer)}`);
    const parsed = statusBatchAnswerSchema.safeParse(answer.json);
    if (!parsed.success || parsed.data.results.length !== updates.length) {
      return failAll(`unexpected answer: ${answer.text.slice(0, 200)}`);
    }
    return updates.map((update, i) => {
      const result = parsed.data.results[i];
      if (result.updateId !== update.updateId)
        return { kind: 'failed', reason: `result ${i} is not ${update.updateId}` };
      return outcomeOf(result.status, result.message ?? '');
    });
  }

  /**
   * `POST .../pong`: the answer to a ping, so the master can tell a live agent from one cut off
   * (docs/agent-protocol.md §2). One attempt; a lost pong is made up by the next ping's.
   */
  async pong(masterUrl: string, agentId: string): Promise<boolean> {
    try {
      return (await this.post(masterUrl + pongPath(agentId), {})).status === 200;
    } catch {
      return false;
    }
  }

  /** `GET .../commands`. */
  openCommandStream(
    masterUrl: string,
    agentId: string,
    options: { idleTimeoutMs: number; onLine(line: string): void },
  ): CommandStream {
    return openCommandStream({
      url: masterUrl + commandsPath(agentId),
      token: this.options.token,
      clock: this.options.clock,
      idleTimeoutMs: options.idleTimeoutMs,
      connectTimeoutMs: this.timeoutMs,
      onLine: options.onLine,
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private post(url: string, body: unknown, signal?: AbortSignal): Promise<HttpAnswer> {
    return httpRequest(url, {
      method: 'POST',
      signal,
      token: this.options.token,
      body,
      timeoutMs: this.timeoutMs,
      agents: this.agents,
    });
  }
}

/**
 * A status update's answer other than an ack. 409: the log does not place the task here; 400/422:
 * the master cannot read it. Resending changes neither. Everything else (401 after a token
 * rotation, 404 unknown agent before a re-registration, 5xx, 503 not ready) may pass: retry.
 */
function outcomeOf(status: number, message: string): SendOutcome {
  if (status === 200) return { kind: 'acked' };
  if (status === 409 || status === 400 || status === 422) return { kind: 'rejected', status, message };
  return { kind: 'failed', reason: `HTTP ${status}: ${message}` };
}

/** `http://leader:8080/internal/v1/agents/register` → `http://leader:8080`. */
function baseOf(url: string, path: string): string {
  const withoutQuery = url.split('?')[0];
  return withoutQuery.endsWith(path) ? withoutQuery.slice(0, -path.length) : new URL(url).origin;
}
