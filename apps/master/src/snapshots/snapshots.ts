import { Logger } from '@nestjs/common';
import { viewOf, stateHashSteps } from '@cairn/domain';
import type { EventLog, SnapshotMeta, SnapshotStore } from '@cairn/eventlog';
import type { Clock } from '@cairn/common';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import { Pacer, runInSlices } from '../core/pacing';
import type { ProjectionRunner } from '../core/projection-runner';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT, type SnapshotContents } from './snapshot-codec';

/**
 * The newest snapshot that is intact, of a format this master reads, and of this very log (the
 * event at its offset has the id it names); null when there is none. Anything wrong with one is
 * a warning and the next older is tried: a snapshot only saves time, the log is the truth.
 */
export async function loadLatestSnapshot(
  store: SnapshotStore,
  log: EventLog,
  logger: Pick<Logger, 'warn' | 'log'>,
  options: { verify?: boolean } = {},
): Promise<LoadedSnapshot | null> {
  let metas: SnapshotMeta[];
  try {
    metas = await store.list();
  } catch (error) {
    logger.warn(`cannot list snapshots (${(error as Error).message}); replaying the whole log`);
    return null;
  }
  for (const meta of metas) {
    const skip = (why: string) => logger.warn(`skipping the snapshot at offset ${meta.offset}: ${why}`);
    if (meta.format !== SNAPSHOT_FORMAT) {
      skip(`format ${meta.format}, this master reads format ${SNAPSHOT_FORMAT}`);
      continue;
    }
    try {
      const contents = await decodeSnapshot(await store.read(meta), options);
      const event = await eventAt(log, contents.header.offset);
      if (event?.id !== contents.header.eventId) {
        skip(`the log has ${event?.id ?? 'no event'} at that offset, the snapshot was of ${contents.header.eventId}`);
        continue;
      }
      return { ...contents, eventAt: event.at };
    } catch (error) {
      skip((error as Error).message);
    }
  }
  if (metas.length > 0) logger.warn('no usable snapshot; replaying the whole log');
  return null;
}

export async function eventAt(log: EventLog, offset: number): Promise<RecordedEvent<CairnEvent> | null> {
  for await (const events of readEvents(log, { from: offset, to: offset + 1 })) {
    const event = events.find((e) => e.offset === offset);
    if (event) return event;
  }
  return null;
}

/** A snapshot that passed every check, with the time of the event at its offset (where `at` stamping resumes). */
export interface LoadedSnapshot extends SnapshotContents {
  readonly eventAt: string;
}

export interface SnapshotterOptions {
  readonly store: SnapshotStore;
  readonly projection: ProjectionRunner;
  readonly clock: Clock;
  /** Offsets past the last snapshot before the next one; 0: never. */
  readonly every: number;
  /** Records a stored snapshot in the log (SnapshotWritten through the sequencer). */
  readonly record: (snapshot: { offset: number; hash: string; format: number; bytes: number }) => Promise<void>;
  readonly logger: Pick<Logger, 'warn' | 'log'>;
}

/** How often the leader checks whether a snapshot is due. */
export const SNAPSHOT_CHECK_MS = 1_000;

/**
 * Writes snapshots while this master leads: once the log is `every` offsets past the last
 * recorded snapshot, and only when the state's hash differs from that snapshot's (an idle cluster
 * writes nothing). The state is captured at one offset in a few milliseconds (viewOf), then
 * hashed, encoded and stored in slices, so the leader keeps serving and heartbeating meanwhile.
 */
export class Snapshotter {
  private timer: (() => void) | null = null;
  private running: Promise<void> | null = null;
  /** The offset last found unchanged: no new check before another `every` offsets. */
  private unchangedAt = -1;
  /**
   * The last snapshot this master stored, recorded in the log or not (below cluster version 2
   * SnapshotWritten is not written: the state's lastSnapshot then stays null).
   */
  private lastStored: { offset: number; hash: string } | null = null;

  constructor(private readonly options: SnapshotterOptions) {}

  start(): void {
    if (this.options.every <= 0 || this.timer) return;
    const schedule = () => {
      this.timer = this.options.clock.setTimer(SNAPSHOT_CHECK_MS, () => {
        if (!this.running && this.due()) {
          this.running = this.writeNow()
            .then(() => undefined)
            .catch((error: Error) => this.options.logger.warn(`snapshot failed: ${error.message}`))
            .finally(() => (this.running = null));
        }
        if (this.timer) schedule();
      });
    };
    schedule();
  }

  /** Stops checking and waits for a snapshot in progress. */
  async stop(): Promise<void> {
    this.timer?.();
    this.timer = null;
    await this.running;
  }

  private due(): boolean {
    const { projection, every } = this.options;
    const since = Math.max(
      projection.state.lastSnapshot?.offset ?? -1,
      this.lastStored?.offset ?? -1,
      this.unchangedAt,
    );
    return projection.appliedOffset - since >= every;
  }

  /** Captures, hashes, encodes, stores and records one snapshot; returns its metadata, or null when unchanged. */
  async writeNow(): Promise<SnapshotMeta | null> {
    const { projection, store, clock } = this.options;
    const offset = projection.appliedOffset;
    const eventId = projection.lastEventId;
    if (offset < 0 || eventId === null) return null;
    const startedAt = clock.now();
    const view = viewOf(projection.state);
    const appVersions = projection.appVersions.entries();
    const events = projection.eventsApplied;
    const pacer = new Pacer();
    const hash = await runInSlices(stateHashSteps(view, 500), pacer);
    const previous = [projection.state.lastSnapshot, this.lastStored].reduce<{ offset: number; hash: string } | null>(
      (newest, s) => (s && (!newest || s.offset > newest.offset) ? s : newest),
      null,
    );
    if (hash === previous?.hash) {
      this.unchangedAt = offset;
      return null;
    }
    const { body, sha256 } = await encodeSnapshot(
      view,
      appVersions,
      { format: SNAPSHOT_FORMAT, offset, eventId, events, hash },
      pacer,
    );
    const meta: SnapshotMeta = {
      offset,
      eventId,
      hash,
      format: SNAPSHOT_FORMAT,
      events,
      bytes: body.length,
      sha256,
      writtenAt: new Date(clock.now()).toISOString(),
    };
    await store.write(meta, body);
    this.lastStored = { offset, hash };
    await this.options.record({ offset, hash, format: SNAPSHOT_FORMAT, bytes: body.length });
    this.options.logger.log(
      `snapshot at offset ${offset}: ${events} events, ${body.length} bytes, ${clock.now() - startedAt} ms`,
    );
    return meta;
  }
}
