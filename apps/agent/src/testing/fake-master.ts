import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AgentCommandWire, RegisterRequest, StatusUpdate } from '../protocol/agent-protocol';

/**
 * A tiny master for the agent's integration tests: the agent side of docs/agent-protocol.md,
 * recorded. Not the real master (apps/master); it only answers as the protocol says.
 */
export interface FakeMasterOptions {
  token: string;
  /** Delay before each status ack, so an agent that does not wait for acks would be caught. */
  ackDelayMs?: number;
  pingIntervalMs?: number;
}

export class FakeMaster {
  readonly registrations: RegisterRequest[] = [];
  /** Every status request, in arrival order, including refused and duplicate ones. */
  readonly received: StatusUpdate[] = [];
  /** Updates applied once per update id (a duplicate is acked, not applied again). */
  readonly applied: StatusUpdate[] = [];
  /** `received <updateId>` / `acked <updateId>` in the order they happened. */
  readonly journal: string[] = [];
  /** Refusals of the token, by path. */
  readonly unauthorized: string[] = [];
  /** While set, status requests are answered with this status and not applied. */
  statusFailure: 503 | 409 | undefined;
  /** Task ids to put in the next registration answer's `reconcile.kill`. */
  killOnNextRegistration: string[] = [];
  /** Agent ids of the pongs received (answers to pings), in order. */
  readonly pongs: string[] = [];
  /** The client connections pongs came over (how many the agents opened for them). */
  readonly pongConnections = new Set<Socket>();
  /** `X-Cairn-Agent-Pong` of each command stream request, in order. */
  readonly streamPongHeaders: (string | undefined)[] = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly agents = new Set<string>();
  private nextAgent = 1;
  private pinger?: NodeJS.Timeout;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeMasterOptions,
  ) {}

  static async start(options: FakeMasterOptions): Promise<FakeMaster> {
    const server = createServer((request, response) => void master.route(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const master = new FakeMaster(server, `http://127.0.0.1:${port}`, options);
    master.pinger = setInterval(() => master.sendRaw('{"type":"ping"}'), options.pingIntervalMs ?? 500);
    return master;
  }

  openStreams(): number {
    return this.streams.size;
  }

  send(command: AgentCommandWire): void {
    this.sendRaw(JSON.stringify(command));
  }

  sendRaw(line: string): void {
    for (const stream of this.streams) stream.write(line + '\n');
  }

  /** Ends every command stream, as a master that restarts would. */
  endStreams(): void {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  /** The applied updates of one task, as `STATE` or `STATE:exitCode`. */
  statesOf(taskId: string): string[] {
    return this.applied
      .filter((update) => update.taskId === taskId)
      .map((update) => (update.exitCode === null ? update.state : `${update.state}:${update.exitCode}`));
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    this.endStreams();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      this.unauthorized.push(path);
      return reply(response, 401, { message: 'missing or wrong agent token' });
    }
    const match = /^\/internal\/v1\/agents\/([^/]+)\/(commands|statuses|status|pong)$/.exec(path);
    if (path === '/internal/v1/agents/register' && request.method === 'POST') {
      const body = JSON.parse(await readBody(request)) as RegisterRequest;
      this.registrations.push(body);
      const agentId = body.agentId ?? `agent-${this.nextAgent++}`;
      this.agents.add(agentId);
      const kill = this.killOnNextRegistration;
      this.killOnNextRegistration = [];
      return reply(response, 200, { agentId, reconcile: { kill } });
    }
    if (!match || !this.agents.has(decodeURIComponent(match[1]))) {
      return reply(response, 404, { message: `no such agent or path: ${path}` });
    }
    if (match[2] === 'pong' && request.method === 'POST') {
      await readBody(request);
      this.pongs.push(decodeURIComponent(match[1]));
      this.pongConnections.add(request.socket);
      return reply(response, 200, {});
    }
    if (match[2] === 'commands' && request.method === 'GET') {
      const header = request.headers['x-cairn-agent-pong'];
      this.streamPongHeaders.push(Array.isArray(header) ? header[0] : header);
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.flushHeaders();
      this.streams.add(response);
      response.on('close', () => this.streams.delete(response));
      return;
    }
    if (match[2] === 'status' && request.method === 'POST') {
      const update = JSON.parse(await readBody(request)) as StatusUpdate;
      this.receive(update);
      if (this.statusFailure !== undefined) {
        return reply(response, this.statusFailure, { message: `fake master: ${this.statusFailure}` });
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.ackDelayMs ?? 0));
      this.ack(update);
      return reply(response, 200, { ack: update.updateId });
    }
    if (match[2] === 'statuses' && request.method === 'POST') {
      // Each update answered as `.../status` would answer it alone (docs/agent-protocol.md §3).
      const { updates } = JSON.parse(await readBody(request)) as { updates: StatusUpdate[] };
      for (const update of updates) this.receive(update);
      const failure = this.statusFailure;
      if (failure !== undefined) {
        const message = `fake master: ${failure}`;
        return reply(response, 200, {
          results: updates.map((u) => ({ updateId: u.updateId, status: failure, message })),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.ackDelayMs ?? 0));
      for (const update of updates) this.ack(update);
      return reply(response, 200, { results: updates.map((u) => ({ updateId: u.updateId, status: 200 })) });
    }
    return reply(response, 404, { message: `no route for ${request.method} ${path}` });
  }

  private receive(update: StatusUpdate): void {
    this.received.push(update);
    this.journal.push(`received ${update.updateId}`);
  }

  /** Applies the update once per update id (a duplicate is acked, not applied again). */
  private ack(update: StatusUpdate): void {
    if (!this.applied.some((seen) => seen.updateId === update.updateId)) this.applied.push(update);
    this.journal.push(`acked ${update.updateId}`);
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}
