import http from 'node:http';
import https from 'node:https';
import { AgentTokenRefusedError, MasterRequestError } from '../agent-errors';
import type { CommandStream } from '../master/command-stream';
import { httpRequest, messageOf, type HttpAnswer } from '../master/http-request';
import { DEFAULT_REQUEST_TIMEOUT_MS, MasterClient, MAX_REDIRECTS, type Registration } from '../master/master-client';
import {
  REGISTER_PATH,
  registerAnswerSchema,
  statusAnswerSchema,
  statusPath,
  type RegisterRequest,
  type StatusUpdate,
} from '../protocol/agent-protocol';
import type { SendOutcome } from '../status/status-update-queue';
import type { Clock } from '@cairn/common';

/** Status updates in flight at once over all simulated agents (one keep-alive pool). */
export const DEFAULT_SIMULATOR_MAX_SOCKETS = 64;

/**
 * The agent's MasterClient for many agents in one process: registrations and status updates of
 * every simulated agent share ONE keep-alive pool whose size the simulator chooses (the real
 * agent's pool is fixed at 16 sockets, which caps a hundred agents at a sixteenth of their
 * updates in flight), command streams go through the base class (one connection each), and it
 * tells which agents hold an open stream. register() and postStatus() answer exactly as
 * MasterClient's (same paths, redirects, 401, ack check and outcome classes).
 */
export class SimulatorMasterClient extends MasterClient {
  private readonly pool: { http: http.Agent; https: https.Agent };
  private readonly open = new Set<string>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly settings: { token: string; clock: Clock; maxSockets: number }) {
    super({ token: settings.token, clock: settings.clock });
    this.pool = {
      http: new http.Agent({ keepAlive: true, maxSockets: settings.maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets: settings.maxSockets }),
    };
  }

  override async register(masterUrl: string, body: RegisterRequest, signal?: AbortSignal): Promise<Registration> {
    let base = masterUrl;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const url = base + REGISTER_PATH;
      const answer = await this.postJson(url, body, signal);
      const location = answer.headers.location;
      if ((answer.status === 307 || answer.status === 308) && location) {
        base = baseOf(new URL(location, url).toString());
        continue;
      }
      if (answer.status === 401) throw new AgentTokenRefusedError({ url, message: messageOf(answer) });
      if (answer.status !== 200)
        throw new MasterRequestError({ url, status: answer.status, reason: messageOf(answer) });
      const parsed = registerAnswerSchema.safeParse(answer.json);
      if (!parsed.success) {
        throw new MasterRequestError({ url, status: 200, reason: `unexpected answer: ${answer.text.slice(0, 200)}` });
      }
      return { masterUrl: base, answer: parsed.data };
    }
    throw new MasterRequestError({ url: masterUrl + REGISTER_PATH, reason: `more than ${MAX_REDIRECTS} redirects` });
  }

  override async postStatus(masterUrl: string, agentId: string, update: StatusUpdate): Promise<SendOutcome> {
    let answer: HttpAnswer;
    try {
      answer = await this.postJson(masterUrl + statusPath(agentId), update);
    } catch (error) {
      return { kind: 'failed', reason: (error as Error).message };
    }
    if (answer.status === 200) {
      const parsed = statusAnswerSchema.safeParse(answer.json);
      if (parsed.success && parsed.data.ack === update.updateId) return { kind: 'acked' };
      return { kind: 'failed', reason: `200 without the ack of ${update.updateId}: ${answer.text.slice(0, 200)}` };
    }
    if (answer.status === 409 || answer.status === 400 || answer.status === 422) {
      return { kind: 'rejected', status: answer.status, message: messageOf(answer) };
    }
    return { kind: 'failed', reason: `HTTP ${answer.status}: ${messageOf(answer)}` };
  }

  override openCommandStream(
    masterUrl: string,
    agentId: string,
    options: { idleTimeoutMs: number; onLine(line: string): void },
  ): CommandStream {
    const stream = super.openCommandStream(masterUrl, agentId, options);
    stream.opened.then(
      () => {
        this.open.add(agentId);
        this.releaseWaiters();
      },
      () => undefined,
    );
    void stream.ended.then(() => this.open.delete(agentId));
    return stream;
  }

  /** Agents whose command stream is open now. */
  openStreams(): number {
    return this.open.size;
  }

  /** Resolves once `count` streams are open at the same time. */
  whenOpen(count: number): Promise<void> {
    if (this.open.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  override close(): void {
    super.close();
    this.pool.http.destroy();
    this.pool.https.destroy();
  }

  private postJson(url: string, body: unknown, signal?: AbortSignal): Promise<HttpAnswer> {
    return httpRequest(url, {
      method: 'POST',
      signal,
      token: this.settings.token,
      body,
      timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      agents: this.pool,
    });
  }

  private releaseWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.open.size >= this.waiters[i].count) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}

/** `http://leader:8080/internal/v1/agents/register` → `http://leader:8080` (as MasterClient does). */
function baseOf(url: string): string {
  const withoutQuery = url.split('?')[0];
  return withoutQuery.endsWith(REGISTER_PATH) ? withoutQuery.slice(0, -REGISTER_PATH.length) : new URL(url).origin;
}
