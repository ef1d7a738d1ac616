import type { Clock } from '@cairn/common';
import type { Election, ElectionChange, ElectionListener, LeaderView, StopOptions, Term } from './election';
import type { ElectionRecord } from './election-record';
import {
  initialState,
  leads,
  view,
  step,
  type MachineAction,
  type MachineInput,
  type MachineState,
} from './election-machine';
import { resolveTimings, type ElectionTimings, type ResolvedTimings } from './election-timings';
import type { ElectionTransport } from './election-transport';

/** Where the election reports trouble; Nest's Logger, pino or KafkaLogSink fit. */
export interface ElectionLogSink {
  debug(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

export interface ElectionRunnerOptions {
  /** This candidate's id: the master's `host:port`. */
  readonly candidate: string;
  readonly clock: Clock;
  readonly transport: ElectionTransport;
  readonly timings?: Partial<ElectionTimings>;
  /** Claims are for terms above this (e.g. the last LeaderElected term in the event log). */
  readonly minTerm?: Term;
  readonly logger?: ElectionLogSink;
}

type PendingInput = (now: number) => MachineInput;

/**
 * The Election port over any transport: feeds the pure ElectionMachine with what the transport
 * reads and with the injected Clock's timers, and carries out its actions (send a record, tell
 * the listeners). Every input, records included, is processed from a Clock timer, so a clock
 * that is paused pauses the whole candidate (tests simulate a stopped process that way), and a
 * ManualClock runs it deterministically.
 */
export class ElectionRunner implements Election {
  readonly candidate: string;
  readonly canHandOver = true;
  readonly timings: ResolvedTimings;
  private state: MachineState | null = null;
  private readonly listeners = new Set<ElectionListener>();
  private inbox: PendingInput[] = [];
  private cancelDrain: (() => void) | null = null;
  private cancelTick: () => void = () => undefined;
  private outbox: ElectionRecord[] = [];
  private pumping: Promise<void> | null = null;
  private heartbeatQueued = false;
  private campaigning: Promise<void> | null = null;
  private markCaughtUp: () => void = () => undefined;
  private closed = false;

  constructor(private readonly options: ElectionRunnerOptions) {
    this.candidate = options.candidate;
    this.timings = resolveTimings(options.timings);
  }

  campaign(): Promise<void> {
    this.campaigning ??= this.campaignNow();
    return this.campaigning;
  }

  private async campaignNow(): Promise<void> {
    if (this.closed) throw new Error(`election candidate ${this.candidate} was stopped; build a new one`);
    const { clock, transport, minTerm } = this.options;
    const caughtUp = new Promise<void>((resolve) => (this.markCaughtUp = resolve));
    this.state = initialState(this.candidate, this.timings, clock.now(), minTerm ?? 0);
    this.scheduleTick();
    try {
      await transport.start({
        onRecord: (record) => this.enqueue((now) => ({ type: 'record', record, now })),
        onCaughtUp: () => this.enqueue((now) => ({ type: 'caught-up', now })),
      });
    } catch (error) {
      await this.stop({ resign: false });
      throw error;
    }
    await caughtUp;
  }

  current(): LeaderView {
    return this.state ? view(this.state, this.options.clock.now()) : { term: 0, leader: null, leading: false };
  }

  isLeader(term?: Term): boolean {
    const s = this.state;
    return s !== null && leads(s, this.options.clock.now()) && (term === undefined || s.term === term);
  }

  subscribe(listener: ElectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async resign(): Promise<void> {
    if (!this.state || this.closed) return;
    this.apply({ type: 'resign', now: this.options.clock.now() });
    await this.sent();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const resign = options.resign ?? true;
    if (this.state) this.apply({ type: 'stop', resign, now: this.options.clock.now() });
    this.cancelTick();
    this.cancelDrain?.();
    this.cancelDrain = null;
    this.inbox = [];
    if (!resign) this.outbox = [];
    this.markCaughtUp();
    // A crash-like stop does not wait for sends in flight; close() ends them.
    if (resign) await this.sent();
    await this.options.transport.close();
  }

  private enqueue(input: PendingInput): void {
    if (this.closed) return;
    this.inbox.push(input);
    this.cancelDrain ??= this.options.clock.setTimer(0, () => this.drain());
  }

  private drain(): void {
    this.cancelDrain = null;
    const inputs = this.inbox;
    this.inbox = [];
    for (const input of inputs) {
      if (this.closed) return;
      this.apply(input(this.options.clock.now()));
    }
  }

  private apply(input: MachineInput): void {
    const before = this.state!;
    const { state, actions } = step(before, input);
    this.state = state;
    for (const action of actions) this.perform(action);
    if (before.role === 'starting' && state.role !== 'starting') this.markCaughtUp();
    if (state.dueAt !== before.dueAt || input.type === 'tick') this.scheduleTick();
  }

  private scheduleTick(): void {
    this.cancelTick();
    const { clock } = this.options;
    const dueAt = this.state!.dueAt;
    if (!Number.isFinite(dueAt) || this.closed) return;
    this.cancelTick = clock.setTimer(Math.max(0, dueAt - clock.now()), () => {
      this.cancelTick = () => undefined;
      if (!this.closed) this.apply({ type: 'tick', now: clock.now() });
    });
  }

  private perform(action: MachineAction): void {
    if (action.type === 'send') this.send(action.record);
    else this.notify(action.change);
  }

  private notify(change: ElectionChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.options.logger?.warn('an election listener threw', { change, error: (error as Error).message });
      }
    }
  }

  /**
   * Sends one at a time, in order. A heartbeat while another is still on its way is dropped:
   * the one in flight says the same, and piling them up behind a slow broker helps nobody.
   * When idle, the transport is called at once (not from a promise callback), so a send happens
   * at the clock time it was decided even under a ManualClock.
   */
  private send(record: ElectionRecord): void {
    if (record.type === 'heartbeat') {
      if (this.heartbeatQueued) return;
      this.heartbeatQueued = true;
    }
    this.outbox.push(record);
    if (!this.pumping) this.pumping = this.pump();
  }

  private async pump(): Promise<void> {
    for (let record = this.outbox.shift(); record; record = this.outbox.shift()) {
      try {
        await this.options.transport.send(record);
      } catch (error) {
        // Not fatal: a lost claim times out and is retried, a lost heartbeat shortens the lease.
        this.options.logger?.warn(`election ${record.type} not sent`, { record, error: (error as Error).message });
      } finally {
        if (record.type === 'heartbeat') this.heartbeatQueued = false;
      }
    }
    this.pumping = null;
  }

  /** Resolves once every record decided so far has been sent (or failed). */
  private async sent(): Promise<void> {
    while (this.pumping) await this.pumping;
  }
}
