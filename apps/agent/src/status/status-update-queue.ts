import type { Clock, IdSource } from '@cairn/common';
import type { Logger } from 'pino';
import type { StatusUpdate } from '../protocol/agent-protocol';
import { isTerminalState } from '../protocol/task-state';
import { backoffDelayMs, STATUS_RETRY_BACKOFF, type BackoffPolicy } from '../session/backoff';
import type { StatusUpdateStore, StoredUpdate } from './status-update-store';

/** What one attempt to deliver an update came to. */
export type SendOutcome =
  /** `200 {ack: updateId}`: the update is in the master's log. */
  | { kind: 'acked' }
  /** The master will never take it (`409`: not this agent's task; `400`/`422`: malformed): drop it. */
  | { kind: 'rejected'; status: number; message: string }
  /** Unreachable, timed out, `5xx`, `503` not ready, ...: try again later. */
  | { kind: 'failed'; reason: string };

export interface StatusUpdateTransport {
  send(update: StatusUpdate): Promise<SendOutcome>;
  /**
   * One attempt to deliver several updates (of different tasks) at once: one outcome per update,
   * in order. Used instead of send() when the queue's `maxBatch` is above 1.
   */
  sendBatch?(updates: readonly StatusUpdate[]): Promise<SendOutcome[]>;
}

export type SettledOutcome = 'acked' | 'dropped';

export interface StatusUpdateQueueOptions {
  store: StatusUpdateStore;
  transport: StatusUpdateTransport;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  backoff?: BackoffPolicy;
  /** [0, 1); jitter for the retry delays. */
  random?: () => number;
  /** Bound on requests in flight at once (over all tasks); a request carries one update, or up to `maxBatch`. */
  maxInFlight?: number;
  /**
   * Updates one request carries at most (default 1: send()). Above 1 (the transport must have
   * sendBatch), the updates that become ready in one turn of the event loop, and those that wait
   * while `maxInFlight` requests are out, go together: in a burst of launches the master gets a
   * few requests with many updates instead of one request (and one command answered alone) each.
   */
  maxBatch?: number;
  /**
   * Called once per update when it leaves the queue, before its checkpoint is deleted (so a crash
   * in between resends it rather than losing it).
   */
  onSettled?: (update: StatusUpdate, outcome: SettledOutcome) => Promise<void> | void;
}

export const DEFAULT_MAX_IN_FLIGHT = 64;
/**
 * Requests in flight per agent when batching: few, so that updates gather while they are out
 * (each request then carries what became ready meanwhile), enough to overlap the master's round trips.
 */
export const DEFAULT_BATCHES_IN_FLIGHT = 4;

/** A task's updates, oldest first; only the head is ever in flight. */
interface Lane {
  taskId: string;
  entries: Entry[];
  inFlight: boolean;
  attempts: number;
  cancelRetry?: () => void;
}

interface Entry {
  stored: StoredUpdate;
  /** The checkpoint is on disk (or failed and is given up on): the entry may be sent. */
  written: boolean;
  persisted: boolean;
}

export type StatusUpdateBody = Omit<StatusUpdate, 'updateId'>;

/**
 * Reliable status updates (Mesos's status update manager): each update is checkpointed, then sent
 * and retried with backoff until the master acks it. Per task, the next update waits for the
 * previous one's ack, so the master sees a task's states in the order they happened; different
 * tasks do not wait for each other. Starts paused: nothing is sent until resume() (the agent
 * resumes once registered, and pauses when the command stream breaks).
 */
export class StatusUpdateQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Lanes whose head may be sent now, in the order they became ready. */
  private readonly ready = new Set<string>();
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private inFlight = 0;
  /** A batching queue's pump waits for the end of the turn (setImmediate), once. */
  private pumpScheduled = false;
  private nextSeq = 1;
  private paused = true;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: StatusUpdateQueueOptions) {
    this.backoff = options.backoff ?? STATUS_RETRY_BACKOFF;
    this.random = options.random ?? Math.random;
    this.maxBatch = options.transport.sendBatch ? Math.max(1, options.maxBatch ?? 1) : 1;
    this.maxInFlight = options.maxInFlight ?? (this.maxBatch > 1 ? DEFAULT_BATCHES_IN_FLIGHT : DEFAULT_MAX_IN_FLIGHT);
  }

  /** Reads the updates left by an earlier run, to be resent first. Call once, before enqueue(). */
  async load(): Promise<StatusUpdate[]> {
    const { updates, setAside } = await this.options.store.load();
    for (const name of setAside) {
      this.options.logger.error({ file: name }, 'an unreadable status update checkpoint was set aside');
    }
    for (const stored of updates) {
      this.nextSeq = Math.max(this.nextSeq, stored.seq + 1);
      this.laneOf(stored.update.taskId).entries.push({ stored, written: true, persisted: true });
      this.ready.add(stored.update.taskId);
    }
    if (updates.length > 0) this.options.logger.info({ count: updates.length }, 'status updates to resend');
    this.pump();
    return updates.map((stored) => stored.update);
  }

  /**
   * Checkpoints the update and queues it behind the task's earlier ones; resolves once it is
   * checkpointed. The order of enqueue() calls is the order the master sees, per task.
   */
  async enqueue(body: StatusUpdateBody): Promise<StatusUpdate> {
    const update: StatusUpdate = { updateId: this.options.ids.uuid(), ...body };
    const entry: Entry = { stored: { seq: this.nextSeq++, update }, written: false, persisted: false };
    this.laneOf(update.taskId).entries.push(entry);
    try {
      await this.options.store.write(entry.stored);
      entry.persisted = true;
    } catch (error) {
      // Sending it unsaved beats dropping it: only a crash before the ack loses it now.
      this.options.logger.error(
        { taskId: update.taskId, updateId: update.updateId, err: error },
        'could not checkpoint a status update; sending it anyway',
      );
    }
    entry.written = true;
    this.ready.add(update.taskId);
    this.pump();
    return update;
  }

  /** Starts (or restarts) sending; updates waiting out a retry delay are sent at once. */
  resume(): void {
    if (this.closed) return;
    this.paused = false;
    for (const lane of this.lanes.values()) {
      if (lane.cancelRetry) {
        lane.cancelRetry();
        lane.cancelRetry = undefined;
        this.ready.add(lane.taskId);
      }
    }
    this.pump();
  }

  /** Stops starting sends (those in flight finish); resume() picks up where it stopped. */
  pause(): void {
    this.paused = true;
  }

  /** No more sends or retries; checkpoints stay for the next run. */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) lane.cancelRetry?.();
    this.releaseIdleWaiters();
  }

  /** Updates not yet acked, per task in sending order. */
  pendingFor(taskId: string): StatusUpdate[] {
    return this.lanes.get(taskId)?.entries.map((entry) => entry.stored.update) ?? [];
  }

  /** The terminal update waiting for this task, if any. */
  pendingTerminal(taskId: string): StatusUpdate | undefined {
    return this.pendingFor(taskId).find((update) => isTerminalState(update.state));
  }

  pendingCount(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.entries.length;
    return count;
  }

  /** Resolves when nothing is pending (or the queue is closed). */
  whenIdle(): Promise<void> {
    if (this.closed || this.pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private laneOf(taskId: string): Lane {
    let lane = this.lanes.get(taskId);
    if (!lane) {
      lane = { taskId, entries: [], inFlight: false, attempts: 0 };
      this.lanes.set(taskId, lane);
    }
    return lane;
  }

  private pump(): void {
    if (this.paused || this.closed) return;
    if (this.maxBatch === 1) {
      this.pumpNow();
      return;
    }
    // Updates enqueued in this turn (a chunk of launch lines ends in many RUNNINGs) go in one request.
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pumpNow();
    });
  }

  private pumpNow(): void {
    while (!this.paused && !this.closed && this.inFlight < this.maxInFlight) {
      const heads = this.takeReady();
      if (heads.length === 0) return;
      void this.send(heads);
    }
  }

  /** Up to maxBatch lanes whose head may be sent now, marked in flight. */
  private takeReady(): { lane: Lane; head: Entry }[] {
    const taken: { lane: Lane; head: Entry }[] = [];
    for (const taskId of this.ready) {
      if (taken.length >= this.maxBatch) break;
      this.ready.delete(taskId);
      const lane = this.lanes.get(taskId);
      const head = lane?.entries[0];
      // A lane is ready again when its head is written, acked, or its retry delay is over.
      if (!lane || !head || !head.written || lane.inFlight || lane.cancelRetry) continue;
      // lane.inFlight stays set until the outcome is dealt with, so the head is never sent twice.
      lane.inFlight = true;
      taken.push({ lane, head });
    }
    return taken;
  }

  private async send(heads: { lane: Lane; head: Entry }[]): Promise<void> {
    this.inFlight++;
    const updates = heads.map(({ head }) => head.stored.update);
    let outcomes: SendOutcome[];
    try {
      const { transport } = this.options;
      outcomes = this.maxBatch > 1 ? await transport.sendBatch!(updates) : [await transport.send(updates[0])];
    } catch (error) {
      outcomes = updates.map(() => ({ kind: 'failed', reason: String(error) }));
    }
    this.inFlight--;
    if (this.closed) {
      for (const { lane } of heads) lane.inFlight = false;
      return;
    }
    await Promise.all(
      heads.map(({ lane, head }, i) =>
        this.deliver(lane, head, outcomes[i] ?? { kind: 'failed', reason: 'no outcome for this update' }),
      ),
    );
    this.pump();
  }

  private async deliver(lane: Lane, head: Entry, outcome: SendOutcome): Promise<void> {
    const { update } = head.stored;
    switch (outcome.kind) {
      case 'acked':
        await this.settle(lane, head, 'acked');
        break;
      case 'rejected':
        this.options.logger.warn(
          { taskId: update.taskId, updateId: update.updateId, state: update.state, status: outcome.status },
          `the master refused a status update; dropping it: ${outcome.message}`,
        );
        await this.settle(lane, head, 'dropped');
        break;
      case 'failed':
        this.scheduleRetry(lane, update, outcome.reason);
        break;
    }
    lane.inFlight = false;
    if (lane.entries.length > 0 && !lane.cancelRetry) this.ready.add(lane.taskId);
  }

  private async settle(lane: Lane, head: Entry, outcome: SettledOutcome): Promise<void> {
    const { update } = head.stored;
    try {
      await this.options.onSettled?.(update, outcome);
    } catch (error) {
      this.options.logger.error({ taskId: update.taskId, updateId: update.updateId, err: error }, 'onSettled failed');
    }
    if (head.persisted) {
      await this.options.store.remove(head.stored).catch((error: unknown) => {
        this.options.logger.warn({ updateId: update.updateId, err: error }, 'could not delete an acked update');
      });
    }
    lane.entries.shift();
    lane.attempts = 0;
    if (lane.entries.length === 0) this.lanes.delete(lane.taskId);
    if (this.pendingCount() === 0) this.releaseIdleWaiters();
  }

  private scheduleRetry(lane: Lane, update: StatusUpdate, reason: string): void {
    lane.attempts++;
    const delayMs = backoffDelayMs(this.backoff, lane.attempts, this.random);
    this.options.logger.debug(
      { taskId: update.taskId, updateId: update.updateId, attempt: lane.attempts, delayMs, reason },
      'status update not delivered; will retry',
    );
    lane.cancelRetry = this.options.clock.setTimer(delayMs, () => {
      lane.cancelRetry = undefined;
      this.ready.add(lane.taskId);
      this.pump();
    });
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
