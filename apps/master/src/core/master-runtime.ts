import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, EventBus } from '@nestjs/cqrs';
import type { Clock, IdSource } from '@cairn/common';
import { WriterFencedError, type EventLog, type SnapshotStore } from '@cairn/eventlog';
import type { Election } from '@cairn/election';
import type { Command } from '@cairn/domain';
import {
  EVENT_FORMAT_LEVEL,
  prepareDecodeValidators,
  prepareEncodeChecks,
  UnknownEventError,
  type CairnEvent,
  type RecordedEvent,
} from '@cairn/events';
import { CAIRN_CONFIG, CLOCK, CREATE_ELECTION, EVENT_LOG, ID_SOURCE, OPEN_LOG_WRITER, SNAPSHOT_STORE } from '../tokens';
import type { CairnConfig } from '../config/cairn-config';
import { UnavailableError } from './errors';
import { followEvents, readEvents } from './event-stream';
import { ProjectionRunner } from './projection-runner';
import { SubjectIndex } from './subject-index';
import { CommandOutcome, Sequencer, type SequencerObserver } from './sequencer';
import { EventsApplied } from './events-applied';
import { CAIRN_VERSION } from '../version';
import { ElectLeaderCommand, RaiseClusterVersionCommand, RecordSnapshotCommand } from '../commands/cluster.commands';
import { loadLatestSnapshot, Snapshotter } from '../snapshots/snapshots';
import { stateHashSteps, viewOf, type StateView } from '@cairn/domain';
import { Pacer, runInSlices } from './pacing';

/** How this master's state was rebuilt at start: from which snapshot, and what was replayed on top. */
export interface Recovery {
  /** The snapshot's offset, or null for a full replay. */
  readonly snapshotOffset: number | null;
  /** Its state hash was recomputed and matched (null: not yet, or no snapshot). */
  readonly snapshotVerified: boolean | null;
  readonly replayedEvents: number;
  readonly durationMs: number;
}

/**
 * `standby`: follows the log and serves reads; `promoting`: elected, fencing and catching up;
 * `ready`: the leader, accepting commands.
 */
/** The commands logged one line each (see logCommand): what people and clients ask for. */
const LOGGED_COMMANDS: ReadonlySet<Command['kind']> = new Set<Command['kind']>([
  'CreateApp',
  'UpdateApp',
  'UpdateApps',
  'DeleteApp',
  'ChangeGroup',
  'ScaleGroup',
  'DeleteGroup',
  'RestartApp',
  'KillTasks',
  'CancelDeployment',
  'ResetLaunchDelay',
  'RaiseClusterVersion',
]);

export type MasterPhase = 'starting' | 'replaying' | 'standby' | 'promoting' | 'ready' | 'stopped';

/** Opens the log's writer: the file log's lock (already held), or a Kafka producer that fences. */
export type OpenLogWriter = () => Promise<EventLog>;
/** Makes this master's election once its name and the log's last term are known. */
export type CreateElection = (instance: string, minTerm: number) => Election;

/**
 * The master's spine: owns the projection runner, the election and, while it leads, the
 * sequencer. Every master replays the log and then follows it as a standby (serving reads); the
 * election decides who leads. The leader opens the writer (Kafka: its InitProducerId fences the
 * previous leader), catches up to the end of the log, appends LeaderElected(term) and only then
 * accepts commands. A deposed or fenced leader goes back to following; it never reopens the writer
 * on its own.
 */
@Injectable()
export class MasterRuntime implements OnApplicationShutdown {
  private readonly logger = new Logger('MasterRuntime');
  readonly projection = new ProjectionRunner({ subjects: true });
  private sequencer: Sequencer | null = null;
  private writer: EventLog | null = null;
  private election: Election | null = null;
  private phase: MasterPhase = 'starting';
  private fatalError: Error | null = null;
  /** This master met a record it cannot read: it follows no more and never leads (see halt). */
  private haltedBy: UnknownEventError | null = null;
  private fatalListeners: ((error: Error) => void)[] = [];
  private roleListeners: ((leading: boolean) => void)[] = [];
  /** Told of every event applied live (as leader, or following as a standby), not of start-up replay. */
  private liveListeners: ((events: readonly RecordedEvent<CairnEvent>[]) => void)[] = [];
  private readonly sequencerObservers: SequencerObserver[] = [];
  private following: { abort: AbortController; done: Promise<void> } | null = null;
  private snapshotter: Snapshotter | null = null;
  /** Set once start-up has rebuilt the state. */
  recovery: Recovery | null = null;
  /** Start-up is over: the election topic is read and the cluster's leader is known (or is this master). */
  private started = false;
  /** Promotions and demotions, one at a time, in the order the election decided them. */
  private transitions: Promise<void> = Promise.resolve();
  /** `host:port` where this master listens: its name as leader (Marathon's /v2/leader). */
  instance = 'unknown';
  /** When this master became the leader (ms): agents get a timeout from then to reconnect. */
  leaderSinceMs = 0;

  constructor(
    /** The log as a reader: replay, following, and every read the API serves. */
    @Inject(EVENT_LOG) readonly log: EventLog,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(ID_SOURCE) readonly ids: IdSource,
    @Inject(CAIRN_CONFIG) readonly config: CairnConfig,
    @Inject(OPEN_LOG_WRITER) private readonly openWriter: OpenLogWriter,
    @Inject(CREATE_ELECTION) private readonly createElection: CreateElection,
    @Inject(SNAPSHOT_STORE) readonly snapshots: SnapshotStore,
    private readonly eventBus: EventBus,
    private readonly commandBus: CommandBus,
  ) {}

  get currentPhase(): MasterPhase {
    return this.phase;
  }

  /** The leader, accepting commands. */
  get isReady(): boolean {
    return this.phase === 'ready';
  }

  /** Who leads now, as far as the election knows (`host:port`), or null. */
  get leader(): string | null {
    return this.election?.current().leader ?? null;
  }

  /** Whether another master could take over (false for the file log's sole writer). */
  get canHandOver(): boolean {
    return this.election?.canHandOver ?? false;
  }

  /**
   * Runs start-up: opens and replays the log, follows it, and campaigns. Resolves once this master
   * serves reads and knows who leads (a standby), or leads (when `untilLeading`, as a sole master).
   */
  async start(instance: string, options: { untilLeading?: boolean } = {}): Promise<void> {
    this.instance = instance;
    const startedAt = this.clock.now();
    // Synchronous and long (ajv compiles every event schema): done before this master campaigns or
    // serves rather than in the middle of a request (the first /v1/events read), where on Kafka a
    // stall can depose a leader. The write path's checks compile in the background, a type per
    // turn, before the first writes need them: compiled lazily, the first launches of a burst paid
    // for them (40-190 ms of a 2.3 s launch-simulated run, issue 12), on the file log too.
    prepareDecodeValidators();
    void prepareEncodeChecks();
    await this.log.open();
    this.phase = 'replaying';
    // The snapshot's state hash is checked in the background, on a capture of the state as loaded:
    // recomputing it is the costliest part of a load, and a mismatch (a codec bug, never a disk
    // error: the body's sha256 was checked) stops the master below.
    const snapshot = await loadLatestSnapshot(this.snapshots, this.log, this.logger, { verify: false });
    if (snapshot) {
      const { header, state, appVersions, eventAt } = snapshot;
      this.projection.restore({ ...header, eventAt, state, appVersions });
      this.verifySnapshotInBackground(header.offset, header.hash, viewOf(state));
    }
    const fromSnapshot = this.projection.eventsApplied;
    // Nothing else holds the records of a full replay (a sequencer, made later, forks the state
    // per batch and shares its records, but by then every apply is `shared`), so they are updated
    // in place; after a snapshot the capture being hashed holds them.
    const owned = snapshot === null;
    for await (const events of readEvents(this.log, { from: this.projection.nextOffset })) {
      this.projection.apply(events, { owned });
    }
    const replayedEvents = this.projection.eventsApplied - fromSnapshot;
    this.recovery = {
      snapshotOffset: snapshot?.header.offset ?? null,
      snapshotVerified: snapshot ? (this.recovery?.snapshotVerified ?? null) : null,
      replayedEvents,
      durationMs: this.clock.now() - startedAt,
    };
    this.logger.log(
      (snapshot ? `loaded the snapshot at offset ${snapshot.header.offset} and replayed ` : 'replayed ') +
        `${replayedEvents} events to offset ${this.projection.appliedOffset} in ${this.recovery.durationMs} ms`,
    );
    // The background check of a loaded snapshot may already have stopped this master.
    if (this.fatalError) throw this.fatalError;
    if (snapshot) this.indexOlderEventsInBackground(snapshot.header.offset + 1);
    this.phase = 'standby';
    this.startFollowing();
    const election = this.createElection(instance, this.projection.state.leader?.epoch ?? 0);
    this.election = election;
    const leading = new Promise<void>((resolve) => this.onRoleChange((lead) => lead && resolve()));
    election.subscribe((change) => {
      if (change.type === 'elected') this.transition(() => this.promote(change.term));
      else if (change.type === 'deposed') this.transition(() => this.demote(`deposed (${change.reason})`));
      else if (change.leader !== null) this.logger.log(`term ${change.term}: ${change.leader} leads`);
    });
    // A record it cannot read, met while following, stops the election (halt): start fails with it.
    await election.campaign().catch((error: unknown) => {
      throw this.haltedBy ?? error;
    });
    if (options.untilLeading) await leading;
    // A standby serves once it knows who leads (its writes go there). The leader the topic names may
    // be dead (this very master before a restart): within one election timeout either its heartbeats
    // prove it alive or a standby, perhaps this one, has claimed the next term.
    const settledAt = this.clock.now() + this.config.electionTimeoutMs + this.config.electionHeartbeatMs;
    const followsALeader = () => this.leader !== null && this.leader !== this.instance;
    while (!this.isReady && !(followsALeader() && this.clock.now() >= settledAt) && this.currentPhase !== 'stopped') {
      await new Promise<void>((r) => this.clock.setTimer(10, r));
    }
    if (this.haltedBy) throw this.haltedBy;
    this.started = true;
  }

  /**
   * Whether this master serves the API: it leads, or, once started, it follows and knows which
   * other master leads (reads are local, writes are forwarded there). Otherwise everything
   * answers 503 with Retry-After.
   */
  get serving(): boolean {
    if (this.phase === 'ready') return true;
    if (!this.started || (this.phase !== 'standby' && this.phase !== 'promoting')) return false;
    // A standby serves reads from the followed state and forwards writes to the leader; while it
    // takes over itself (the leader is itself but not ready yet) it answers 503 for a moment.
    return this.leader !== null && this.leader !== this.instance;
  }

  /** Hands leadership to another master (DELETE /v2/leader). */
  async resign(): Promise<void> {
    if (!this.election?.canHandOver) throw new Error('no other master can take over');
    await this.election.resign();
  }

  /** Calls `listener` with true when this master starts leading and false when it stops. */
  onRoleChange(listener: (leading: boolean) => void): void {
    this.roleListeners.push(listener);
  }

  /** Resolves once the projection has applied `offset` (a standby reading its own proxied write). */
  async waitForOffset(offset: number, timeoutMs: number): Promise<boolean> {
    const deadline = this.clock.now() + timeoutMs;
    while (this.projection.appliedOffset < offset) {
      if (this.clock.now() >= deadline || this.phase === 'stopped') return false;
      await new Promise<void>((resolve) => this.clock.setTimer(5, resolve));
    }
    return true;
  }

  /** Hands a command to the sequencer; 503 unless this master leads (or after a fatal error). */
  execute(command: Command): Promise<CommandOutcome> {
    const electing =
      this.phase === 'promoting' && (command.kind === 'ElectLeader' || command.kind === 'RaiseClusterVersion');
    if ((this.phase !== 'ready' && !electing) || !this.sequencer) {
      return Promise.reject(new UnavailableError(this.notLeading()));
    }
    const outcome = this.sequencer.submit(command);
    if (LOGGED_COMMANDS.has(command.kind))
      void outcome.then(
        (served) => this.logCommand(command, { offset: served.offset, events: served.events.length }),
        (error: Error) => this.logCommand(command, { refused: error.message }),
      );
    return outcome;
  }

  /**
   * One JSON log line per command of a person (not ticks, status updates or registrations, which
   * would drown it), carrying its correlation id: the same id as its events, its deployment and
   * `cairn why`, so a log line leads to the log and back.
   */
  private logCommand(command: Command, result: { offset?: number | null; events?: number; refused?: string }): void {
    this.logger.log({
      msg: result.refused === undefined ? 'command served' : 'command refused',
      command: command.kind,
      correlationId: command.meta.correlationId,
      actor: command.meta.actor,
      ...result,
    });
  }

  /** Throws the 503 error unless this master leads (the agent API: agents talk to the leader only). */
  assertLeader(): void {
    if (this.phase !== 'ready') throw new UnavailableError(this.notLeading());
  }

  private notLeading(): string {
    if (this.haltedBy) return this.haltedMessage(this.haltedBy);
    if (this.fatalError) return `this master stopped: ${this.fatalError.message}`;
    if (this.phase === 'standby' || this.phase === 'promoting') {
      const leader = this.leader;
      return leader && leader !== this.instance
        ? `this master is a standby; the leader is ${leader}`
        : `this master is a standby and no leader is known yet; retry shortly`;
    }
    return `master is ${this.phase}; retry shortly`;
  }

  /** Command metadata: time from the injected clock, ids from the seeded source. */
  meta(actor: string): Command['meta'] {
    const commandId = this.ids.uuid();
    return { now: this.clock.now(), actor, commandId, correlationId: commandId };
  }

  /** Throws the 503 error when the read model may not be served (a standby serves it too). */
  assertReadable(): void {
    const halted = this.halted;
    if (halted) throw new UnavailableError(halted.message, 60);
    if (!this.serving) {
      throw new UnavailableError(
        this.fatalError ? `this master stopped: ${this.fatalError.message}` : `master is ${this.phase}; retry shortly`,
      );
    }
  }

  onFatalError(listener: (error: Error) => void): void {
    if (this.fatalError) listener(this.fatalError);
    else this.fatalListeners.push(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    const wasLeading = this.phase === 'ready';
    this.phase = 'stopped';
    await this.stopSnapshotter();
    this.sequencer?.stop(new Error('master is shutting down'));
    // A leader that stops resigns: a standby takes over at once instead of after a timeout.
    await this.election
      ?.stop({ resign: wasLeading })
      .catch((e) => this.logger.warn(`leaving the election: ${(e as Error).message}`));
    await this.stopFollowing();
    if (this.writer && this.writer !== this.log) await this.writer.close().catch(() => undefined);
    await this.log.close().catch((e) => this.logger.warn(`closing the log: ${(e as Error).message}`));
    await this.snapshots.close().catch((e) => this.logger.warn(`closing the snapshot store: ${(e as Error).message}`));
  }

  private publish(events: RecordedEvent<CairnEvent>[]): void {
    if (events.length > 0) this.eventBus.publish(new EventsApplied(events));
    this.tellLive(events);
  }

  private tellLive(events: readonly RecordedEvent<CairnEvent>[]): void {
    for (const listener of this.liveListeners) listener(events);
  }

  /** Calls `listener` with the events this master applies live (not those of its start-up replay). */
  onLiveEvents(listener: (events: readonly RecordedEvent<CairnEvent>[]) => void): void {
    this.liveListeners.push(listener);
  }

  /** Told of every batch this master's sequencer appends, and of commands refused on a full queue. */
  observeSequencer(observer: SequencerObserver): void {
    this.sequencerObservers.push(observer);
  }

  /** Commands waiting for the sequencer (0 on a standby). */
  get sequencerQueueDepth(): number {
    return this.sequencer?.queueDepth ?? 0;
  }

  private transition(step: () => Promise<void>): void {
    this.transitions = this.transitions
      .then(step)
      .catch((error: Error) => (error instanceof UnknownEventError ? this.halt(error) : this.onFatal(error)));
  }

  /**
   * Elected for `term`: stop following, open the writer (fencing the previous leader), read what
   * the log holds beyond the projection, and append LeaderElected(term) through a new sequencer.
   */
  private async promote(term: number): Promise<void> {
    if (this.phase !== 'standby' || !this.election?.isLeader(term)) return;
    // A stale win (announced after a pause, when the log already holds a later leader): opening the
    // writer would fence that leader for nothing.
    if ((this.projection.state.leader?.epoch ?? 0) >= term) return;
    this.phase = 'promoting';
    const startedAt = this.clock.now();
    await this.stopFollowing();
    const writer = await this.openWriter();
    this.writer = writer;
    for await (const events of readEvents(writer, { from: this.projection.nextOffset })) this.projection.apply(events);
    if (!this.election.isLeader(term)) {
      await this.demote(`lost term ${term} while taking over`);
      return;
    }
    this.sequencer = new Sequencer({
      log: writer,
      projection: this.projection,
      ids: this.ids,
      onApplied: (events) => this.publish(events),
      onFatal: (error) => this.onSequencerStopped(error),
      delay: (ms) => new Promise<void>((resolve) => this.clock.setTimer(ms, resolve)),
      now: () => this.clock.now(),
      queueMax: this.config.commandQueueMax,
      observer: {
        batchAppended: (batch) => this.sequencerObservers.forEach((o) => o.batchAppended(batch)),
        refusedFull: (lane) => this.sequencerObservers.forEach((o) => o.refusedFull?.(lane)),
      },
    });
    // A log that holds nothing yet starts at the newest event format level its first leader reads:
    // no master of an older release has ever read it (docs/operations.md, "Upgrades").
    const freshLog = this.projection.eventsApplied === 0;
    let offset: number | null;
    try {
      ({ offset } = await this.commandBus.execute(
        new ElectLeaderCommand({ kind: 'ElectLeader', instance: this.instance, term }, 'system'),
      ));
      if (freshLog && this.projection.state.clusterVersion < EVENT_FORMAT_LEVEL) {
        await this.commandBus.execute(
          new RaiseClusterVersionCommand(
            { kind: 'RaiseClusterVersion', version: EVENT_FORMAT_LEVEL, instance: this.instance },
            'system',
          ),
        );
      }
    } catch (error) {
      // Stale (a later leader wrote first) or fenced meanwhile: not ours to lead.
      await this.demote(`could not take term ${term}: ${(error as Error).message}`);
      return;
    }
    this.leaderSinceMs = this.clock.now();
    this.phase = 'ready';
    this.logger.log(
      `leader ${this.instance}, term ${term} at offset ${offset} (${this.clock.now() - startedAt} ms to take over)`,
    );
    this.startSnapshotter();
    for (const listener of this.roleListeners) listener(true);
  }

  /** Recomputes a loaded snapshot's hash in slices; a different hash stops the master. */
  /**
   * After a snapshot start the subject index (`why`, filters) holds only the events that followed
   * the snapshot: the log before it is read (no fold) in slices and merged in. Until then `why`
   * scans for what the index lacks.
   */
  private indexOlderEventsInBackground(until: number): void {
    const index = this.projection.subjects;
    if (!index || until <= 0) return;
    const startedAt = this.clock.now();
    void (async () => {
      const older = new SubjectIndex();
      const pacer = new Pacer();
      for await (const events of readEvents(this.log, { from: 0, to: until })) {
        for (const event of events) older.observe(event);
        await pacer.turn();
      }
      await runInSlices(index.absorbOlder(older), pacer);
      this.logger.log(`indexed the ${until} offsets before the snapshot in ${this.clock.now() - startedAt} ms`);
    })().catch((error: Error) =>
      this.logger.warn(`could not index the log before the snapshot (${error.message}); why scans it instead`),
    );
  }

  private verifySnapshotInBackground(offset: number, expected: string, view: StateView): void {
    void runInSlices(stateHashSteps(view, 500)).then((hash) => {
      const verified = hash === expected;
      this.recovery = {
        ...(this.recovery ?? { snapshotOffset: offset, replayedEvents: 0, durationMs: 0 }),
        snapshotVerified: verified,
      };
      if (verified) {
        this.logger.log(`the snapshot at offset ${offset} is verified: its state hashes to ${hash}`);
        return;
      }
      this.onFatal(
        new Error(
          `the snapshot at offset ${offset} decoded to a state hashing to ${hash}, not ${expected} as written: ` +
            `a snapshot format bug. Delete the snapshots (they are only a shortcut) and restart; please report it`,
        ),
      );
    });
  }

  /** The leader snapshots the state as the log grows (see Snapshotter). */
  private startSnapshotter(): void {
    this.snapshotter = new Snapshotter({
      store: this.snapshots,
      projection: this.projection,
      clock: this.clock,
      every: this.config.snapshotEvery,
      logger: this.logger,
      record: async (snapshot) => {
        await this.commandBus.execute(new RecordSnapshotCommand({ kind: 'RecordSnapshot', ...snapshot }, 'system'));
      },
    });
    this.snapshotter.start();
  }

  private async stopSnapshotter(): Promise<void> {
    const snapshotter = this.snapshotter;
    this.snapshotter = null;
    await snapshotter?.stop();
  }

  /** Stops leading (deposed, or fenced by a newer leader) and follows the log again. */
  private async demote(why: string): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'standby') return;
    const wasLeading = this.phase === 'ready';
    this.phase = 'standby';
    this.logger.warn(`stepping down to standby: ${why}`);
    await this.stopSnapshotter();
    this.sequencer?.stop(new Error(`this master no longer leads: ${why}`));
    this.sequencer = null;
    if (this.writer && this.writer !== this.log) await this.writer.close().catch(() => undefined);
    this.writer = null;
    if (wasLeading) for (const listener of this.roleListeners) listener(false);
    this.startFollowing();
  }

  /** The sequencer stops on a fencing (a newer leader) or on an error it cannot recover from. */
  private onSequencerStopped(error: Error): void {
    if (error instanceof WriterFencedError && this.election?.canHandOver) {
      this.transition(() => this.demote(`fenced by a newer leader (${error.message})`));
      return;
    }
    this.onFatal(error);
  }

  /** Applies the log as it grows, from where the projection stands, until stopped. */
  private startFollowing(): void {
    const abort = new AbortController();
    const done = (async () => {
      try {
        for await (const events of followEvents(this.log, this.projection.nextOffset, abort.signal)) {
          this.projection.apply(events);
          this.tellLive(events);
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof UnknownEventError) this.halt(error);
        else this.onFatal(error as Error);
      }
    })();
    this.following = { abort, done };
  }

  private async stopFollowing(): Promise<void> {
    const following = this.following;
    this.following = null;
    if (!following) return;
    following.abort.abort();
    await following.done;
  }

  /**
   * Why this master stopped following, when it met a record it cannot read (a newer Cairn wrote
   * it): null otherwise. /v1/info and every 503 carry it.
   */
  get halted(): { message: string; type: string; v: number | null; offset: number; readerLevel: number } | null {
    const error = this.haltedBy;
    if (!error) return null;
    return {
      message: this.haltedMessage(error),
      type: error.type,
      v: error.v ?? null,
      offset: error.offset,
      readerLevel: error.readerLevel,
    };
  }

  private haltedMessage(error: UnknownEventError): string {
    return `this master (Cairn ${CAIRN_VERSION}) stopped following the log and will not lead: ${error.message}`;
  }

  /**
   * A record this release cannot read (UnknownEventError), met while following or while taking
   * over: applying anything past it would be guessing, and leading would write on a state that
   * misses it. The master leaves the election (resigning if it led or was elected), closes its
   * writer, and stays up answering 503 with the reason (docs/operations.md, "Upgrades"): a restart
   * of the same release would stop at the same record, so exiting would only make a restart loop.
   */
  private halt(error: UnknownEventError): void {
    if (this.haltedBy || this.fatalError) return;
    this.haltedBy = error;
    const wasLeading = this.phase === 'ready';
    this.phase = 'stopped';
    this.logger.error(this.haltedMessage(error));
    this.sequencer?.stop(new Error(this.haltedMessage(error)));
    this.sequencer = null;
    if (wasLeading) for (const listener of this.roleListeners) listener(false);
    const writer = this.writer;
    this.writer = null;
    void (async () => {
      await this.election
        ?.stop({ resign: true })
        .catch((e) => this.logger.warn(`leaving the election: ${(e as Error).message}`));
      if (writer && writer !== this.log) await writer.close().catch(() => undefined);
    })();
  }

  private onFatal(error: Error): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.phase = 'stopped';
    this.logger.error(`cannot go on: ${error.message}`, error.stack);
    // A master that cannot go on must not hold (or win) leadership: that would block a failover.
    void this.election
      ?.stop({ resign: true })
      .catch((e) => this.logger.warn(`leaving the election: ${(e as Error).message}`));
    for (const listener of this.fatalListeners.splice(0)) listener(error);
  }
}
