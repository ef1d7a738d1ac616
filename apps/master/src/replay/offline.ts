import type { EventLog, SnapshotStore } from '@cairn/eventlog';
import { matchesFilter, parseLogPosition, type CairnEvent, type EventFilter, type RecordedEvent } from '@cairn/events';
import type { CairnConfig } from '../config/cairn-config';
import { readEvents } from '../core/event-stream';
import { createEventLog, createSnapshotStore } from '../log/create-event-log';
import { History, type HistoryOptions } from './history';
import { firstOffsetAtOrAfter } from './log-search';
import { replayTo, type ReplayToOptions } from './state-at';
import { explain, type WhyKind } from './why';
import { audit, type AuditEntry, type AuditQuery } from './audit';

/**
 * A log opened for reading with no master running: a file-log directory (a copy, or a live one:
 * a reader takes no lock) or a Kafka topic (a reader fences nobody). What the CLI's offline
 * commands (`events tail`, `state`, `why`, `audit` with `--data-dir` or `--brokers`) run on, with
 * the same code a master uses, so they give the same answers.
 */
export class OfflineLog {
  private constructor(
    readonly log: EventLog,
    readonly snapshots: SnapshotStore,
  ) {}

  static async open(config: CairnConfig): Promise<OfflineLog> {
    const instance = `offline/${process.pid}`;
    const log = createEventLog(config, { writer: false, instance });
    await log.open();
    return new OfflineLog(log, createSnapshotStore(config, instance));
  }

  history(options: Omit<HistoryOptions, 'paced'> = {}): History {
    return new History(this.log, this.snapshots, { ...options, paced: false });
  }

  /**
   * The events that pass `filter` from `from` (an offset or a time) to the end of the log. Tasks'
   * apps are learnt from their launches, read from the first event on, so `app=` also selects the
   * statuses of tasks launched before `from`.
   */
  async *events(filter: EventFilter, from: string | undefined): AsyncIterable<RecordedEvent<CairnEvent>> {
    const position = from === undefined ? { offset: 0 } : parseLogPosition(from, 'from');
    const start = 'offset' in position ? position.offset : await firstOffsetAtOrAfter(this.log, position.timeMs);
    const taskApps = new Map<string, string>();
    const needsApps = filter.apps !== null;
    for await (const batch of readEvents(this.log, { from: needsApps ? 0 : start })) {
      for (const event of batch) {
        if (needsApps && event.type === 'TaskLaunched') taskApps.set(event.data.taskId, event.data.appId);
        if (event.offset < start) continue;
        if (matchesFilter(filter, event, (taskId) => taskApps.get(taskId))) yield event;
      }
    }
  }

  /**
   * `why` over the log alone: one full replay with the subject index (no snapshot: the index must
   * cover the whole history), then the same explanation a master gives.
   */
  async why(kind: WhyKind, id: string, onProgress?: ReplayToOptions['onProgress']): Promise<Record<string, unknown>> {
    const end = await this.log.endOffset();
    const { projection } = await replayTo(this.log, end - 1, { subjects: true, onProgress });
    return explain(kind, id, { log: this.log, index: projection.subjects!, state: projection.state });
  }

  audit(query: AuditQuery): Promise<AuditEntry[]> {
    return audit(this.log, query);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.log.close(), this.snapshots.close()]);
  }
}
