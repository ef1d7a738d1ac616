import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Clock } from '@cairn/common';
import { CLOCK, CAIRN_CONFIG } from '../tokens';
import type { CairnConfig } from '../config/cairn-config';
import { MasterRuntime } from '../core/master-runtime';
import { AgentGateway } from './agent-gateway';
import { CommandBus } from '@nestjs/cqrs';
import { TickCommand } from '../commands/cluster.commands';
import type { CommandPayload } from '../commands/sequenced-command';

/**
 * Drives the clock-dependent decisions through the sequencer: a Tick at least every `tickMs`
 * (agent timeouts, backoff expiry, allocation) and one as soon as demand changes. A tick that
 * decides nothing writes nothing, so an idle cluster's log does not move. Every tick decides
 * everything a tick decides, so the period counts from the end of the last tick, whatever started
 * it: in a burst, when demand ticks run back to back, no periodic tick is added between them (a
 * tick reads every waiting task and deployment, so a redundant one costs the burst as much as a
 * useful one). Timers are the injected clock's.
 */
export const PING_INTERVAL_MS = 5_000;

@Injectable()
export class SchedulerTicker implements OnApplicationShutdown {
  private readonly logger = new Logger('SchedulerTicker');
  private cancelTimer: (() => void) | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private lastPingMs = 0;
  private cancelBatched: (() => void) | null = null;
  private cancelPings: (() => void) | null = null;

  constructor(
    private readonly runtime: MasterRuntime,
    private readonly gateway: AgentGateway,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CAIRN_CONFIG) private readonly config: CairnConfig,
    private readonly commands: CommandBus,
  ) {}

  start(): void {
    this.schedule();
    this.schedulePings();
  }

  /**
   * Pings on a timer of their own: a tick waits for its command in the sequencer, and behind a
   * burst of writes (10,000 app creations) that wait outlasts the agents' 20 s idle timeout; pings
   * must not wait with it.
   */
  private schedulePings(): void {
    if (this.stopped) return;
    this.cancelPings = this.clock.setTimer(PING_INTERVAL_MS, () => {
      this.pingIfDue();
      this.schedulePings();
    });
  }

  /** Ticks as soon as the current tick (if any) is done; many calls make one tick. */
  tickSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    setImmediate(() => void this.tick());
  }

  /**
   * Ticks within `ms`: many calls in that window make one tick. For what may let a deployment move
   * on (a task running, healthy, ready): thousands of status updates in a burst must not each cost
   * a pass over every task, and a deployment waits at most `ms` longer.
   */
  tickWithin(ms: number): void {
    if (this.stopped || this.cancelBatched) return;
    this.cancelBatched = this.clock.setTimer(ms, () => {
      this.cancelBatched = null;
      this.tickSoon();
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelBatched?.();
    this.cancelPings?.();
  }

  /** (Re)starts the period: the next periodic tick comes `tickMs` from now unless another comes first. */
  private schedule(): void {
    if (this.stopped) return;
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimer(this.config.tickMs, () => {
      this.cancelTimer = null;
      this.pingIfDue();
      void this.tick();
    });
  }

  /** Pings keep agents' streams known alive (the agent drops one silent for 20 s): every 5 s, not every tick. */
  private pingIfDue(): void {
    const now = this.clock.now();
    if (now - this.lastPingMs < PING_INTERVAL_MS) return;
    this.lastPingMs = now;
    this.gateway.pingAll(now);
  }

  /** What a tick decided now is given (a dry run decides the same tick with a seed of its own). */
  tickPayload(seed: string): CommandPayload<'Tick'> {
    return {
      kind: 'Tick',
      seed,
      agentUnreachableMs: this.config.agentUnreachableMs,
      connectedAgentIds: this.gateway.connectedAgentIds(),
      leaderSinceMs: this.runtime.leaderSinceMs,
      launchTimeoutMs: this.config.taskLaunchTimeoutMs,
    };
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return; // the running tick restarts the period when it ends
    if (!this.runtime.isReady) {
      this.schedule();
      return;
    }
    this.running = true;
    // This tick is decided on a state that holds every event applied so far: it does what the
    // pending periodic tick and a batched progress tick (tickWithin) were armed for.
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.cancelBatched?.();
    this.cancelBatched = null;
    try {
      await this.commands.execute(new TickCommand(this.tickPayload(this.runtime.ids.uuid()), 'system'));
    } catch (error) {
      this.logger.warn(`tick failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.tickSoon();
      }
      this.schedule();
    }
  }
}
