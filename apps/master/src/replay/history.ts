import type { ClusterState } from '@cairn/domain';
import type { EventLog, SnapshotStore } from '@cairn/eventlog';
import { EventQueryError, type LogPosition } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import { Pacer } from '../core/pacing';
import { clusterView } from './cluster-view';
import { captureForDiff, ChangeWitness, describeChanges, type Change } from './state-diff';
import { replayTo, resolvePoint, type PointInLog, type ReplayToOptions } from './state-at';

export interface HistoryOptions {
  /** A serving master paces the work (the stall budget); offline tools run flat out. */
  readonly paced: boolean;
  readonly onProgress?: ReplayToOptions['onProgress'];
  readonly warn?: (message: string) => void;
}

export interface RebuiltState {
  readonly state: ClusterState;
  readonly point: PointInLog;
  readonly hash: string;
  /** The snapshot the replay started from (null: the first event), and the events folded on top. */
  readonly replay: { readonly snapshotOffset: number | null; readonly replayedEvents: number };
}

export interface StateDiff {
  readonly from: PointInLog;
  readonly to: PointInLog;
  /** Events between the two points. */
  readonly events: number;
  readonly changes: Change[];
}

/**
 * Time travel over one log: the cluster as it was at an offset or time, and what changed between
 * two points. The same code serves `GET /v1/state?at=` on a master and `cairn state` over a copy of
 * the log with no master running, so both give the same answers.
 */
export class History {
  constructor(
    private readonly log: EventLog,
    private readonly snapshots: SnapshotStore | null,
    private readonly options: HistoryOptions,
  ) {}

  /** The state just after `position`, rebuilt, with its hash and how it was rebuilt. */
  async rebuild(position: LogPosition): Promise<RebuiltState> {
    const target = await resolvePoint(this.log, position);
    const replayed = await replayTo(this.log, target, this.replayOptions());
    const { hash } = await replayed.projection.hashInSlices();
    return {
      state: replayed.projection.state,
      point: replayed.point,
      hash,
      replay: { snapshotOffset: replayed.snapshotOffset, replayedEvents: replayed.replayedEvents },
    };
  }

  /** The whole cluster just after `position`, with its state hash, rendered at once. */
  async stateAt(position: LogPosition): Promise<Record<string, unknown> & { replay: RebuiltState['replay'] }> {
    const rebuilt = await this.rebuild(position);
    return { ...clusterView(rebuilt.state, rebuilt.point, rebuilt.hash), replay: rebuilt.replay };
  }

  /** What changed from just after `a` to just after `b` (a must not be after b). */
  async diff(a: LogPosition, b: LogPosition): Promise<StateDiff> {
    const from = await resolvePoint(this.log, a);
    const to = await resolvePoint(this.log, b);
    if (from > to) {
      throw new EventQueryError(
        `the first point (offset ${from}) is after the second (offset ${to}): give them in order`,
      );
    }
    const replayed = await replayTo(this.log, from, this.replayOptions());
    const { projection } = replayed;
    const before = captureForDiff(projection.state);
    const witness = new ChangeWitness();
    const pacer = this.options.paced ? new Pacer() : undefined;
    if (from < to) {
      for await (const events of readEvents(this.log, { from: from + 1, to: to + 1 })) {
        // Shared mode: a change replaces a record, so `before` keeps seeing the old ones.
        projection.apply(events);
        for (const event of events) witness.observe(event);
        this.options.onProgress?.({ offset: projection.appliedOffset, target: to });
        await pacer?.turn();
      }
    }
    return {
      from: replayed.point,
      to: { offset: to, at: projection.lastEventAt },
      events: witness.events,
      changes: describeChanges(before, captureForDiff(projection.state), witness),
    };
  }

  private replayOptions(): ReplayToOptions {
    return {
      snapshots: this.snapshots,
      pacer: this.options.paced ? new Pacer() : undefined,
      onProgress: this.options.onProgress,
      warn: this.options.warn,
    };
  }
}
