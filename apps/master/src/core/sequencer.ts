import type { IdSource } from '@cairn/common';
import { AppendOutcomeUnknownError, EventLog, WriterFailedError, WriterFencedError } from '@cairn/eventlog';
import { ClusterState, Command, decide, evolve, EventDraft, forkState } from '@cairn/domain';
import { AppendRecord } from '@cairn/eventlog';
import {
  CairnEvent,
  CHAIN_GENESIS,
  chainOf,
  chainRecords,
  encodeChecked,
  EventValidationError,
  RecordedEvent,
} from '@cairn/events';
import { UnavailableError } from './errors';
import { EventStamper, invalidInput } from './event-stamper';
import { ProjectionRunner } from './projection-runner';
import { readEvents } from './event-stream';

/** Commands decided into one append (one frame + fsync, or one Kafka transaction). */
export const MAX_COMMANDS_PER_BATCH = 512;

/**
 * Recovering from a failed append (reopening the log, reading it) can fail too while the log's
 * storage is away, e.g. a Kafka broker restarting or a partition leader moving: it is retried,
 * backing off from the first delay to the max, this many times (a minute and a half at the max
 * delay, more with the attempts' own time), before the sequencer gives up. The max stays short: a
 * moved partition leader is usable at once, and every pause past that is a pause in writes.
 * Commands submitted meanwhile are refused at once (503), not queued.
 */
export const RECOVERY_ATTEMPTS_MAX = 180;
export const RECOVERY_BACKOFF_MS = { first: 50, max: 500 } as const;

/**
 * Commands waiting for the sequencer, beyond which a submit is refused at once (503 with
 * Retry-After) instead of queued: a burst of writers past what the log can absorb waits in their
 * own retries, not in the master's memory, and a refused command has written nothing. A batch
 * takes up to MAX_COMMANDS_PER_BATCH; this is about twenty batches.
 */
export const SEQUENCER_QUEUE_MAX = 10_000;

/**
 * Where a command waits: agents' reports (status updates, registrations) in one lane, everything
 * else (REST writes, the scheduler's ticks) in the other. Each lane has its own bound, and a batch
 * takes from both in turn, so an agent flooding status updates fills its own lane (its updates are
 * retried: they are reliable) and never crowds REST writes out of a batch or out of the queue.
 */
export type Lane = 'api' | 'agent';

export function laneOf(command: Command): Lane {
  switch (command.kind) {
    case 'ReportTaskStatus':
    case 'RegisterAgent':
    case 'DisconnectAgent':
      return 'agent';
    default:
      return 'api';
  }
}

/** What the sequencer reports about its work (metrics). Never affects a decision. */
export interface SequencerObserver {
  /** A batch was made durable: its commands, the records appended, and how long the append took. */
  batchAppended(batch: { commands: number; records: number; appendMs: number }): void;
  /** A command was refused because its lane was full. */
  refusedFull?(lane: Lane): void;
}

export interface CommandOutcome {
  /** The events this command produced, as applied (with offsets). Empty when nothing changed. */
  readonly events: RecordedEvent<CairnEvent>[];
  /** Offset of the last event written, or null when nothing changed. */
  readonly offset: number | null;
}

export interface SequencerDeps {
  readonly log: EventLog;
  readonly projection: ProjectionRunner;
  readonly ids: IdSource;
  /** Side effects after events are durable and applied (Nest's EventBus). Never affects state. */
  readonly onApplied?: (events: RecordedEvent<CairnEvent>[]) => void;
  /** The sequencer cannot go on (fenced, projection failed, log unrecoverable). */
  readonly onFatal: (error: Error) => void;
  /** The pause between two recovery attempts (default: a timer). */
  readonly delay?: (ms: number) => Promise<void>;
  readonly observer?: SequencerObserver;
  /** Commands that may wait in each lane (default SEQUENCER_QUEUE_MAX). */
  readonly queueMax?: number;
  /** Milliseconds for measuring appends (the master's clock). */
  readonly now?: () => number;
}

interface Pending {
  /** Arrival order across lanes: a batch that takes every waiting command keeps it. */
  readonly seq: number;
  readonly command: Command;
  readonly resolve: (outcome: CommandOutcome) => void;
  readonly reject: (error: Error) => void;
}

interface Decided {
  readonly pending: Pending;
  readonly events: CairnEvent[];
}

/**
 * The one sequencer. Commands are decided one at a time, in arrival order, with the pure
 * `decide` against a speculative state: a copy-on-write fork of the durable state (the
 * projection's) made for each batch, into which the batch's events are evolved as they are
 * decided. The batch's events are appended together (group commit: many commands share one
 * fsync or one Kafka transaction); once durable they go through the projection runner, and only
 * then is each command answered, with its offset. One append is in flight at a time.
 *
 * On an append error every command of the batch fails and its fork is dropped: the next batch
 * forks the projection again, after whatever the log holds beyond it was applied (an outcome
 * that cannot be known is settled by reading the log, never guessed). A fenced writer stops for
 * good.
 */
export class Sequencer {
  private readonly lanes: Record<Lane, Pending[]> = { api: [], agent: [] };
  private arrivals = 0;
  private draining = false;
  private stoppedBy: Error | null = null;
  /** Why the last recovery attempt failed, while the sequencer retries it. */
  private recovering: Error | null = null;
  /** Ids, times and causes of the events this sequencer writes. */
  private readonly stamper: EventStamper;
  /**
   * The chain value of the log's last record (docs/verify.md), which the next record extends; null
   * when not known: learnt from the log before the first append and again after a failed one, whose
   * outcome only the log knows. Replay never reads record headers: one record read per leader.
   */
  private chainHead: string | null = null;

  constructor(private readonly deps: SequencerDeps) {
    this.stamper = new EventStamper(deps.ids, deps.projection.lastEventAt);
  }

  submit(command: Command): Promise<CommandOutcome> {
    if (this.stoppedBy)
      return Promise.reject(new UnavailableError(`not accepting commands: ${this.stoppedBy.message}`));
    if (this.recovering) {
      return Promise.reject(
        new UnavailableError(`recovering from a log error (${this.recovering.message}); retry shortly`),
      );
    }
    const queueMax = this.deps.queueMax ?? SEQUENCER_QUEUE_MAX;
    const lane = laneOf(command);
    if (this.lanes[lane].length >= queueMax) {
      this.deps.observer?.refusedFull?.(lane);
      return Promise.reject(
        new UnavailableError(
          `the master's command queue is full (${queueMax} ${lane === 'agent' ? "agents' reports" : 'commands'} waiting); retry shortly`,
        ),
      );
    }
    return new Promise<CommandOutcome>((resolve, reject) => {
      this.lanes[lane].push({ seq: this.arrivals++, command, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** Commands waiting to be decided (not counting the batch being appended). */
  get queueDepth(): number {
    return this.lanes.api.length + this.lanes.agent.length;
  }

  /** Stops taking commands; queued ones fail with 503. */
  stop(reason: Error): void {
    this.stoppedBy ??= reason;
    for (const pending of this.takeAll()) pending.reject(new UnavailableError(reason.message));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      // Let commands that arrive in the same tick join the batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queueDepth > 0 && !this.stoppedBy) {
        await this.runBatch(this.takeBatch());
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * The next batch: what takeWaiting gives, cut at a scheduler tick, which is decided in a batch of
   * its own. Alone, a tick decides on the durable state itself, whose maps are quicker to read than
   * a fork's (it reads every deployment in flight and every waiting app: 10,000 in the envelope),
   * and nothing evolves its launches (a burst's bulk) into a fork for commands after it. That costs
   * an append more per tick. The commands after the cut go back to the front of their lanes.
   */
  private takeBatch(): Pending[] {
    const batch = this.takeWaiting();
    const tick = batch.findIndex((p) => p.command.kind === 'Tick');
    if (tick < 0 || batch.length === 1) return batch;
    const cut = tick === 0 ? 1 : tick;
    // Back in front of their lanes, each lane in its order: one unshift per lane (a lane may hold
    // thousands of reports; an unshift per command would move them all each time).
    const back: Record<Lane, Pending[]> = { api: [], agent: [] };
    for (const pending of batch.slice(cut)) back[laneOf(pending.command)].push(pending);
    for (const lane of ['api', 'agent'] as const) if (back[lane].length > 0) this.lanes[lane].unshift(...back[lane]);
    return batch.slice(0, cut);
  }

  /**
   * Everything waiting, in arrival order, when it fits in a batch; otherwise up to
   * MAX_COMMANDS_PER_BATCH taken from each lane in turn (each lane keeps its order).
   */
  private takeWaiting(): Pending[] {
    const { api, agent } = this.lanes;
    if (api.length + agent.length <= MAX_COMMANDS_PER_BATCH) return this.takeAll();
    const batch: Pending[] = [];
    let a = 0;
    let g = 0;
    while (batch.length < MAX_COMMANDS_PER_BATCH && (a < api.length || g < agent.length)) {
      if (a < api.length) batch.push(api[a++]);
      if (g < agent.length && batch.length < MAX_COMMANDS_PER_BATCH) batch.push(agent[g++]);
    }
    api.splice(0, a);
    agent.splice(0, g);
    return batch;
  }

  private takeAll(): Pending[] {
    return [...this.lanes.api.splice(0), ...this.lanes.agent.splice(0)].sort((x, y) => x.seq - y.seq);
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const decided: Decided[] = [];
    const records: AppendRecord[] = [];
    // What each command is decided on: the durable state plus this batch's events so far. Until
    // a command of the batch has an event that is the projection's state itself (decide is pure),
    // then a copy-on-write fork of it, into which the events are evolved: reading a fork costs
    // more than reading a Map, so a batch of one command (a tick, a status update on a quiet
    // master) never pays for it. The base changes only in applyDurable and catchUpFromLog, after
    // the last decision below (the loop is synchronous, and a standby's follower, which applies
    // too, runs only once this sequencer is stopped): the fork is never used across a change of
    // its base. Dropped with the batch, so a failed batch leaves nothing to rebuild.
    // A command's events are evolved into the fork only once another command is to be decided on
    // it: the last command's never are (nor a tick's hundreds of launches: its batch is its own).
    const durable = this.deps.projection.state;
    let speculative: ClusterState = durable;
    let unevolved: readonly CairnEvent[] = [];
    for (const pending of batch) {
      if (unevolved.length > 0) {
        if (speculative === durable) speculative = forkState(durable);
        for (const event of unevolved) evolve(speculative, event);
        unevolved = [];
      }
      const outcome = this.decideOne(pending.command, speculative);
      if (outcome instanceof Error) {
        pending.reject(outcome);
        continue;
      }
      unevolved = outcome.events;
      decided.push({ pending, events: outcome.events });
      records.push(...outcome.records);
    }
    if (records.length === 0) {
      for (const d of decided) d.pending.resolve({ events: [], offset: null });
      return;
    }

    let offsets: number[];
    try {
      const chained = chainRecords(this.chainHead ?? (await this.readChainHead()), records);
      if (this.stoppedBy) throw this.stoppedBy; // deposed while reading: nothing was written
      const appendStarted = this.deps.now?.() ?? 0;
      offsets = (await this.deps.log.append(chained.records)).offsets;
      this.chainHead = chained.head;
      this.deps.observer?.batchAppended({
        commands: decided.length,
        records: records.length,
        appendMs: (this.deps.now?.() ?? 0) - appendStarted,
      });
    } catch (error) {
      this.chainHead = null;
      await this.recoverFromAppendError(error as Error, decided);
      return;
    }

    if (this.stoppedBy) {
      // Stopped while appending (deposed, fenced, shutting down): the records are durable, so the
      // commands happened and are answered so. But this master no longer leads: the follower it
      // starts reads the log from where the projection stands and applies them; applying them
      // here too could apply them twice (the second time a fatal offset error), and the effects
      // (launches to agents) are the new leader's to run.
      for (const { pending, events } of withOffsets(decided, offsets)) {
        pending.resolve({ events, offset: events.length ? events[events.length - 1].offset : null });
      }
      return;
    }
    const applied = this.applyDurable(decided, offsets);
    if (!applied) return;
    for (const { pending, events } of applied) {
      pending.resolve({ events, offset: events.length ? events[events.length - 1].offset : null });
    }
    this.deps.onApplied?.(applied.flatMap((a) => a.events));
  }

  /** The chain value of the record at the applied offset (the log's last): genesis when it has none. */
  private async readChainHead(): Promise<string> {
    const offset = this.deps.projection.appliedOffset;
    if (offset < 0) return CHAIN_GENESIS;
    for await (const batch of this.deps.log.read({ from: offset, to: offset + 1, maxBatchRecords: 1 })) {
      const record = batch.find((r) => r.offset === offset);
      if (record) return chainOf(record) ?? CHAIN_GENESIS;
    }
    throw new Error(`the log has no record at the applied offset ${offset}: cannot extend its hash chain`);
  }

  /** decide + envelope + encode, or the reason the command is refused. */
  private decideOne(
    command: Command,
    speculative: ClusterState,
  ): { events: CairnEvent[]; records: AppendRecord[] } | Error {
    let drafts: EventDraft[];
    try {
      drafts = decide(command, speculative);
    } catch (error) {
      return error as Error;
    }
    const events: CairnEvent[] = [];
    const records: AppendRecord[] = [];
    const decided = new Map<EventDraft, CairnEvent>();
    try {
      for (const d of drafts) {
        const encoded = encodeChecked(this.stamper.envelope(d, command, decided));
        decided.set(d, encoded.event);
        events.push(encoded.event);
        records.push(encoded.record);
      }
    } catch (error) {
      if (error instanceof EventValidationError) return invalidInput(error);
      return error as Error;
    }
    return { events, records };
  }

  private applyDurable(
    decided: Decided[],
    offsets: number[],
  ): { pending: Pending; events: RecordedEvent<CairnEvent>[] }[] | null {
    const durable = withOffsets(decided, offsets);
    try {
      this.deps.projection.apply(durable.flatMap((d) => d.events));
    } catch (error) {
      this.fatal(error as Error, decided);
      return null;
    }
    return durable;
  }

  private async recoverFromAppendError(error: Error, decided: Decided[]): Promise<void> {
    if (error instanceof WriterFencedError) {
      this.fatal(error, decided);
      return;
    }
    const unknown =
      error instanceof AppendOutcomeUnknownError ||
      (error instanceof WriterFailedError && error.context.outcome === 'unknown');
    for (const d of decided) {
      d.pending.reject(
        new UnavailableError(
          unknown
            ? `the write may or may not have been recorded (${error.message}); read the state before retrying`
            : `the write was not recorded: ${error.message}`,
        ),
      );
    }
    // A failed write or fsync kills the writer; recovery is a reopen, never a retried fsync.
    const reopen = error instanceof WriterFailedError;
    for (let attempt = 1; !this.stoppedBy; attempt++) {
      try {
        if (reopen) {
          await this.deps.log.close();
          // Reopening a writer fences whoever writes now: never once this sequencer was stopped
          // (deposed), which may have happened while we waited.
          if (this.stoppedBy) return;
          await this.deps.log.open();
          if (this.stoppedBy) {
            await this.deps.log.close();
            return;
          }
        }
        await this.catchUpFromLog();
        this.recovering = null;
        return;
      } catch (recoveryError) {
        if (this.stoppedBy) return; // deposed meanwhile: the next leader reads the log itself
        const fatal = recoveryError instanceof WriterFencedError || attempt >= RECOVERY_ATTEMPTS_MAX;
        if (fatal) {
          this.recovering = null;
          this.fatal(recoveryError as Error, []);
          return;
        }
        this.recovering = recoveryError as Error;
        for (const pending of this.takeAll()) {
          pending.reject(
            new UnavailableError(`recovering from a log error (${this.recovering.message}); retry shortly`),
          );
        }
        await this.pause(Math.min(RECOVERY_BACKOFF_MS.first * 2 ** (attempt - 1), RECOVERY_BACKOFF_MS.max));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return this.deps.delay ? this.deps.delay(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Applies whatever the log holds beyond the projection (the next batch forks it). */
  private async catchUpFromLog(): Promise<void> {
    for await (const events of readEvents(this.deps.log, { from: this.deps.projection.nextOffset })) {
      // Stopped (deposed) meanwhile: the projection is the follower's again, it must not apply twice.
      if (this.stoppedBy) return;
      this.deps.projection.apply(events);
    }
  }

  private fatal(error: Error, decided: Decided[]): void {
    for (const d of decided) d.pending.reject(new UnavailableError(error.message));
    this.stop(error);
    this.deps.onFatal(error);
  }
}

/** Each decided command's events with the offsets their append gave them, in order. */
function withOffsets(
  decided: readonly Decided[],
  offsets: readonly number[],
): { pending: Pending; events: RecordedEvent<CairnEvent>[] }[] {
  let i = 0;
  return decided.map(({ pending, events }) => ({
    pending,
    events: events.map((event) => ({ ...event, offset: offsets[i++] })),
  }));
}
