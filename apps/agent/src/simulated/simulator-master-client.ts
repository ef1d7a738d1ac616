import type { Clock } from '@cairn/common';
import type { CommandStream } from '../master/command-stream';
import { MasterClient } from '../master/master-client';

/** Status updates in flight at once over all simulated agents (one keep-alive pool). */
export const DEFAULT_SIMULATOR_MAX_SOCKETS = 64;
/**
 * Pongs are not pooled: as many in flight as agents answer pings (one each every 5 s at most), as
 * many connections as a fleet of process agents would hold for them.
 */
export const SIMULATOR_PONG_SOCKETS = Infinity;

/**
 * The agent's MasterClient for many agents in one process: registrations and status updates of
 * every simulated agent share ONE keep-alive pool whose size the simulator chooses (a real
 * agent's default of 16 sockets would cap a hundred agents at a sixteenth of their updates in
 * flight), and it tells which agents hold an open stream.
 *
 * Pongs go out on connections of their own, unpooled: a real agent's pong waits at most behind
 * its own status updates (its pool is its own), but in one pool shared by a thousand agents it
 * waited behind every agent's updates (a queued request has no timeout), and a burst of launches
 * kept pongs queued past the master's silence threshold (agent-gateway.ts, 15 s), which dropped
 * the streams of agents that were alive (the envelope benchmark at 500 agents and 20,000 tasks).
 * A separate pool of 16 was not enough either: 1,250 agents' pongs (250/s) through 16 sockets
 * while the master's event loop stalled for seconds (5,000 agents, 200,000 tasks) queued as well.
 * Their idle sockets are all kept, as each process agent keeps its own: with Node's default of 256
 * kept, a simulator of 1,000 agents opened ~750 new connections for every round of pings, which
 * arrive together; with 5,000 agents pongs came back 12-30 s late while no event loop stalled that
 * long (most likely connects dropped by the busy master's full accept queue and their SYNs retried
 * after 1, 3, 7, 15 s), and the master dropped live agents (the envelope at full size; bench/README.md).
 */
export class SimulatorMasterClient extends MasterClient {
  private readonly open = new Set<string>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly pongs: MasterClient;

  constructor(settings: { token: string | undefined; clock: Clock; maxSockets: number }) {
    super({ token: settings.token, clock: settings.clock, maxSockets: settings.maxSockets });
    this.pongs = new MasterClient({
      token: settings.token,
      clock: settings.clock,
      maxSockets: SIMULATOR_PONG_SOCKETS,
      maxFreeSockets: SIMULATOR_PONG_SOCKETS,
    });
  }

  override pong(masterUrl: string, agentId: string): Promise<boolean> {
    return this.pongs.pong(masterUrl, agentId);
  }

  override close(): void {
    super.close();
    this.pongs.close();
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

  private releaseWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.open.size >= this.waiters[i].count) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}
