import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from '@cairn/common';
import { CLOCK } from '../tokens';

/**
 * The bound on synchronous work in the master (docs/operations.md, "Stall budget"): no single
 * piece of work on the event loop (a decision, hashing, serialising an answer, applying a batch)
 * should hold it longer than this. A leader whose loop stalls past its lease stops seeing its own
 * heartbeats and is deposed, so the election timeout must stay well above it (checked at start by
 * loadConfig: at least ELECTION_TIMEOUT_BUDGET_FACTOR × this).
 */
export const SYNC_WORK_BUDGET_MS = 50;
/** CAIRN_ELECTION_TIMEOUT_MS must be at least this many times SYNC_WORK_BUDGET_MS. */
export const ELECTION_TIMEOUT_BUDGET_FACTOR = 4;

/** Sampling resolution of the delay histogram (node's default is 10 ms). */
const RESOLUTION_MS = 10;
/** How often the recent maximum is compared with the budget (a warning at most this often). */
const CHECK_INTERVAL_MS = 10_000;

/** The event loop's delay since the master started (GET /v1/info → eventLoop). */
export interface EventLoopDelay {
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /** How long the figures cover (ms since the monitor started). */
  readonly sinceMs: number;
  /** The bound on synchronous work the figures are meant to stay under. */
  readonly budgetMs: number;
}

/**
 * Measures how late the event loop runs timers (node:perf_hooks `monitorEventLoopDelay`): the
 * delay is the time the loop spent on synchronous work it could not interrupt. Figures are over
 * the master's life; a stall over the budget is logged (at most once per check interval).
 */
@Injectable()
export class EventLoopMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventLoop');
  private lifetime: IntervalHistogram | null = null;
  private recent: IntervalHistogram | null = null;
  private startedAtMs = 0;
  private cancelCheck: (() => void) | null = null;

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  onModuleInit(): void {
    this.start();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  start(): void {
    if (this.lifetime) return;
    this.lifetime = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.recent = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.lifetime.enable();
    this.recent.enable();
    this.startedAtMs = this.clock.now();
    this.scheduleCheck();
  }

  stop(): void {
    this.cancelCheck?.();
    this.cancelCheck = null;
    this.lifetime?.disable();
    this.recent?.disable();
  }

  snapshot(): EventLoopDelay {
    const h = this.lifetime;
    // The histogram records nanoseconds, and only once a sample is taken (max is 0 before).
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
    const sampled = h !== null && h.count > 0;
    return {
      delayP50Ms: sampled ? ms(h.percentile(50)) : 0,
      delayP99Ms: sampled ? ms(h.percentile(99)) : 0,
      delayMaxMs: sampled ? ms(h.max) : 0,
      sinceMs: h ? this.clock.now() - this.startedAtMs : 0,
      budgetMs: SYNC_WORK_BUDGET_MS,
    };
  }

  private scheduleCheck(): void {
    this.cancelCheck = this.clock.setTimer(CHECK_INTERVAL_MS, () => {
      const recent = this.recent;
      if (!recent) return;
      // The sampling timer itself adds up to one resolution to every reading.
      const maxMs = recent.count > 0 ? recent.max / 1e6 - RESOLUTION_MS : 0;
      if (maxMs > SYNC_WORK_BUDGET_MS) {
        this.logger.warn(
          `the event loop stalled up to ${Math.round(maxMs)} ms in the last ${CHECK_INTERVAL_MS / 1000} s ` +
            `(budget ${SYNC_WORK_BUDGET_MS} ms; p99 ${Math.round(recent.percentile(99) / 1e6)} ms)`,
        );
      }
      recent.reset();
      this.scheduleCheck();
    });
  }
}
