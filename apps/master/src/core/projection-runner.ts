import { canonicalJson, sha256Hex } from '@cairn/common';
import { ClusterState, evolve, hashedView, initialState } from '@cairn/domain';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { AppVersionIndex } from './app-versions';

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
  private applied = 0;
  private failure: ProjectionFailedError | null = null;
  /** Indexes kept beside the state (outside its hash), fed the same applied events with their offsets. */
  readonly appVersions = new AppVersionIndex();

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
      this.lastOffset = event.offset;
      this.applied++;
    }
  }

  /** sha256 of the canonical serialisation of the hashed state (see hashedView). */
  hash(): string {
    return sha256Hex(canonicalJson(hashedView(this.state)));
  }

  private fail(message: string, offset: number): never {
    this.failure = new ProjectionFailedError(message, offset);
    throw this.failure;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
