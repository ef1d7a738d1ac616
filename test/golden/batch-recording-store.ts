import { MemoryLogStore } from '@cairn/eventlog';
import { ChangeNotifier } from '@cairn/eventlog/memory/change-notifier';

/**
 * The memory log's store, remembering where each append ended. The memory log notifies its
 * followers once per appended batch (and once on close, which appends nothing), so the record
 * count at each notification that grew it is a batch boundary. The golden log's copy on the file
 * log then holds one frame per batch, as the file log of a live master would.
 */
export class BatchRecordingLogStore extends MemoryLogStore {
  /** Record counts after each append, increasing. */
  readonly batchEnds: number[] = [];
  override readonly changes: ChangeNotifier = new BatchEndNotifier(() => this.recordBatchEnd());

  /** The records, one array per append, in order. */
  batches(): (typeof this.records)[] {
    const out: (typeof this.records)[] = [];
    let start = 0;
    for (const end of this.batchEnds) {
      out.push(this.records.slice(start, end));
      start = end;
    }
    if (start < this.records.length) out.push(this.records.slice(start));
    return out;
  }

  private recordBatchEnd(): void {
    const last = this.batchEnds[this.batchEnds.length - 1] ?? 0;
    if (this.records.length > last) this.batchEnds.push(this.records.length);
  }
}

class BatchEndNotifier extends ChangeNotifier {
  constructor(private readonly beforeNotify: () => void) {
    super();
  }

  override notify(): void {
    this.beforeNotify();
    super.notify();
  }
}
