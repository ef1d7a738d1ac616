import type { EventLog, SnapshotStore } from '@cairn/eventlog';
import type { LogPosition } from '@cairn/events';
import { EventQueryError } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import { Pacer } from '../core/pacing';
import { ProjectionRunner } from '../core/projection-runner';
import { decodeSnapshot, SNAPSHOT_FORMAT } from '../snapshots/snapshot-codec';
import { eventAt } from '../snapshots/snapshots';
import { lastEventAtOrBefore } from './log-search';

/** A point in the log's history: just after `offset` (-1: before the first event). */
export interface PointInLog {
  readonly offset: number;
  /** The time of the last event at or before `offset` (null: none). */
  readonly at: string | null;
}

export interface ReplayToOptions {
  /** Stored snapshots to start from (the newest at or before the target that passes its checks). */
  readonly snapshots?: SnapshotStore | null;
  /** Given by a serving master: decoding and folding give the event loop a turn every slice. */
  readonly pacer?: Pacer;
  /** Called now and then with the events folded so far and the offset reached (progress bars). */
  readonly onProgress?: (progress: { offset: number; target: number }) => void;
  /** Keep a subject index (`why` over the replayed range). */
  readonly subjects?: boolean;
  readonly warn?: (message: string) => void;
}

export interface ReplayedState {
  readonly projection: ProjectionRunner;
  readonly point: PointInLog;
  /** The snapshot the replay started from (null: from the first event), and the events folded on top. */
  readonly snapshotOffset: number | null;
  readonly replayedEvents: number;
}

/**
 * Where `position` is: an offset (which must be in the log) or a time, meaning the last event
 * stamped at or before it (leaders stamp `at` never decreasing in offset order: see Sequencer).
 */
export async function resolvePoint(log: EventLog, position: LogPosition): Promise<number> {
  const end = await log.endOffset();
  if ('offset' in position) {
    if (position.offset >= end) {
      throw new EventQueryError(`offset ${position.offset} is not in the log yet (its end offset is ${end})`);
    }
    return position.offset;
  }
  const event = await lastEventAtOrBefore(log, position.timeMs);
  return event ? event.offset : -1;
}

/**
 * The state just after `target`, rebuilt by the same projection runner a master uses, from the
 * newest usable snapshot at or before it (or the first event). Read-only: nothing is written.
 */
export async function replayTo(log: EventLog, target: number, options: ReplayToOptions = {}): Promise<ReplayedState> {
  const projection = new ProjectionRunner({ subjects: options.subjects });
  const snapshotOffset = target >= 0 ? await restoreNearestSnapshot(projection, log, target, options) : null;
  const startedWith = projection.eventsApplied;
  if (target >= 0 && projection.appliedOffset < target) {
    for await (const events of readEvents(log, { from: projection.nextOffset, to: target + 1 })) {
      projection.apply(events, { owned: true });
      options.onProgress?.({ offset: projection.appliedOffset, target });
      await options.pacer?.turn();
    }
  }
  return {
    projection,
    point: { offset: target, at: projection.lastEventAt },
    snapshotOffset,
    replayedEvents: projection.eventsApplied - startedWith,
  };
}

async function restoreNearestSnapshot(
  projection: ProjectionRunner,
  log: EventLog,
  target: number,
  options: ReplayToOptions,
): Promise<number | null> {
  if (!options.snapshots) return null;
  let metas;
  try {
    metas = (await options.snapshots.list()).filter((m) => m.offset <= target && m.format === SNAPSHOT_FORMAT);
  } catch (error) {
    options.warn?.(`cannot list snapshots (${(error as Error).message}); replaying from the first event`);
    return null;
  }
  for (const meta of metas) {
    try {
      const contents = await decodeSnapshot(await options.snapshots.read(meta), {
        verify: false,
        pacer: options.pacer,
      });
      const event = await eventAt(log, contents.header.offset);
      if (event?.id !== contents.header.eventId) continue; // another log's snapshot
      projection.restore({
        ...contents.header,
        eventAt: event.at,
        state: contents.state,
        appVersions: contents.appVersions,
      });
      return contents.header.offset;
    } catch (error) {
      options.warn?.(`skipping the snapshot at offset ${meta.offset}: ${(error as Error).message}`);
    }
  }
  return null;
}
