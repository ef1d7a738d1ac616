import type { AppendRecord, AppendResult, EventLog, FollowOptions, LogRecord, ReadOptions } from '@cairn/eventlog';

/**
 * An EventLog that notes every range read through it and passes everything on: what `why` read
 * for one answer, so the baseline can read exactly the same records and nothing else.
 */
export class RecordingEventLog implements EventLog {
  readonly backend: string;
  private ranges: ReadOptions[] = [];

  constructor(private readonly inner: EventLog) {
    this.backend = inner.backend;
  }

  /** The ranges read since the last call, in order. */
  takeRanges(): ReadOptions[] {
    return this.ranges.splice(0);
  }

  read(options: ReadOptions): AsyncIterable<LogRecord[]> {
    this.ranges.push(options);
    return this.inner.read(options);
  }

  open(): Promise<void> {
    return this.inner.open();
  }
  append(records: readonly AppendRecord[]): Promise<AppendResult> {
    return this.inner.append(records);
  }
  follow(options: FollowOptions): AsyncIterable<LogRecord[]> {
    return this.inner.follow(options);
  }
  endOffset(): Promise<number> {
    return this.inner.endOffset();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
