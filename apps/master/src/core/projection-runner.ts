import { ClusterState, evolve, initialState, stateHash, stateHashSteps, viewOf } from '@cairn/domain';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { AppVersionIndex, type VersionEntry } from './app-versions';
import { SubjectIndex } from './subject-index';
import { runInSlices } from './pacing';

/** The projection stopped on an error: the served state can no longer be trusted. */
export class ProjectionFailedError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ProjectionFailedError';
  }
}

/**
 * The one projection runner: applies durable events, synchronously and in offset order, to the
 * read model that is served, and records the offset it applied. Live operation, a restart and an
 * offline replay all go through `apply`, so they fold with the same `evolve` and reach the same
 * state. An error stops it loudly: every later apply and read fails.
 */
export class ProjectionRunner {
  private current: ClusterState = initialState();
  private lastOffset = -1;
  private lastId: string | null = null;
  private lastAt: string | null = null;
  private applied = 0;
  private failure: ProjectionFailedError | null = null;
  /** Indexes kept beside the state (outside its hash), fed the same applied events with their offsets. */
  readonly appVersions = new AppVersionIndex();
  /** Offsets per entity (`why`, audit, filtered reads), when asked for: a one-off replay does without. */
  readonly subjects: SubjectIndex | null;

  constructor(options: { subjects?: boolean } = {}) {
    this.subjects = options.subjects ? new SubjectIndex() : null;
  }

  /** The served state (durable events only). Callers must not modify it. */
  get state(): ClusterState {
    this.throwIfFailed();
    return this.current;
  }

  /** Offset of the last applied event, -1 before the first. */
  get appliedOffset(): number {
    return this.lastOffset;
  }

  /** Where a reader catching up with the log starts. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }

  get eventsApplied(): number {
    return this.applied;
  }

  /** The id of the last applied event (a snapshot names it, to be matched against the log). */
  get lastEventId(): string | null {
    return this.lastId;
  }

  /**
   * The `at` of the last applied event, null before the first. Leaders stamp each event at no less
   * than this (see Sequencer), so the log's times never go backwards in offset order.
   */
  get lastEventAt(): string | null {
    return this.lastAt;
  }

  /**
   * Starts from a snapshot instead of the empty state: the state as it was after `offset`, with
   * `events` folded into it. Only before anything was applied.
   */
  restore(snapshot: {
    state: ClusterState;
    offset: number;
    eventId: string;
    /** The `at` of the event at `offset`, when known (read from the log by the snapshot's checks). */
    eventAt?: string;
    events: number;
    appVersions: Iterable<readonly [string, readonly VersionEntry[]]>;
  }): void {
    this.throwIfFailed();
    if (this.applied > 0 || this.lastOffset >= 0) throw new Error('a projection is restored before it applies events');
    this.current = snapshot.state;
    this.lastOffset = snapshot.offset;
    this.lastId = snapshot.eventId;
    this.lastAt = snapshot.eventAt ?? null;
    this.applied = snapshot.events;
    this.appVersions.restore(snapshot.appVersions);
  }

  /**
   * Applies durable events. `owned`: the events were decoded for this call alone and nothing else
   * holds this state's records (start-up and offline replay), so records are updated in place
   * (see Ownership in libs/domain/src/state.ts).
   */
  apply(events: readonly RecordedEvent<CairnEvent>[], options: { owned?: boolean } = {}): void {
    this.throwIfFailed();
    const ownership = options.owned ? 'owned' : 'shared';
    for (const event of events) {
      if (event.offset <= this.lastOffset) {
        this.fail(
          `event ${event.type} at offset ${event.offset} is not after the applied offset ${this.lastOffset}`,
          event.offset,
        );
      }
      try {
        evolve(this.current, event, ownership);
      } catch (e) {
        this.fail(`evolve failed on ${event.type} at offset ${event.offset}: ${(e as Error).message}`, event.offset);
      }
      this.appVersions.observe(event);
      this.subjects?.observe(event);
      this.lastOffset = event.offset;
      this.lastId = event.id;
      this.lastAt = event.at;
      this.applied++;
    }
  }

  /** The state hash (see libs/domain/src/state-hash.ts), in one go: offline replay and tests. */
  hash(): string {
    return stateHash(this.state);
  }

  /** The state hash and the offset it is at, computed in slices that leave the event loop free. */
  async hashInSlices(): Promise<{ hash: string; offset: number }> {
    const offset = this.lastOffset;
    const hash = await runInSlices(stateHashSteps(viewOf(this.state), 500));
    return { hash, offset };
  }

  private fail(message: string, offset: number): never {
    this.failure = new ProjectionFailedError(message, offset);
    throw this.failure;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
