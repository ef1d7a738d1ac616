import type { Clock } from '@cairn/common';
import type { ElectionRecord } from '../election-record';
import type { ElectionTransport, TransportHandlers } from '../election-transport';

/** Delays in ms (of the shared clock) chosen per send or per delivery; the simulator seeds them. */
export interface MemoryTopicDelays {
  /** From send() to the record's place in the topic (a produce round trip). */
  readonly appendMs?: (candidate: string) => number;
  /** From a record's append to its delivery to one reader (a fetch). */
  readonly deliverMs?: (reader: string) => number;
}

interface Reader {
  readonly name: string;
  readonly handlers: TransportHandlers;
  /** Next offset to deliver. */
  next: number;
  /** Time of this reader's last scheduled delivery: deliveries keep offset order. */
  lastDeliveryAt: number;
  cancels: Set<() => void>;
}

/**
 * The election topic in memory: one append-only array shared by every candidate of a test,
 * driven only by the shared Clock. A record's position is fixed when it is appended (offset
 * order = append order); each reader gets every record in offset order, each after its own
 * delay, like consumers fetching at different moments.
 */
export class MemoryElectionTopic {
  private readonly records: ElectionRecord[] = [];
  private readonly readers = new Set<Reader>();

  constructor(
    private readonly clock: Clock,
    private readonly delays: MemoryTopicDelays = {},
  ) {}

  /** Every record, in offset order (for assertions). */
  get log(): readonly ElectionRecord[] {
    return this.records;
  }

  /** A transport for one candidate (one per incarnation). */
  transport(candidate: string): ElectionTransport {
    return new MemoryElectionTransport(this, candidate);
  }

  /** @internal */ append(candidate: string, record: ElectionRecord): Promise<void> {
    const delay = this.delays.appendMs?.(candidate) ?? 0;
    return new Promise((resolve) => {
      const put = () => {
        this.records.push(record);
        for (const reader of this.readers) this.deliver(reader);
        resolve();
      };
      if (delay <= 0) put();
      else this.clock.setTimer(delay, put);
    });
  }

  /** @internal */ subscribe(name: string, handlers: TransportHandlers): () => void {
    const reader: Reader = { name, handlers, next: 0, lastDeliveryAt: -Infinity, cancels: new Set() };
    this.readers.add(reader);
    const end = this.records.length;
    this.deliver(reader);
    // Caught up once the records present at start have been delivered (after them, in order).
    this.schedule(reader, () => {
      if (reader.next >= end) reader.handlers.onCaughtUp();
    });
    return () => {
      this.readers.delete(reader);
      for (const cancel of reader.cancels) cancel();
      reader.cancels.clear();
    };
  }

  private deliver(reader: Reader): void {
    while (reader.next < this.records.length) {
      const record = this.records[reader.next++];
      this.schedule(reader, () => reader.handlers.onRecord(record));
    }
  }

  private schedule(reader: Reader, fn: () => void): void {
    const delay = Math.max(0, this.delays.deliverMs?.(reader.name) ?? 0);
    const at = Math.max(this.clock.now() + delay, reader.lastDeliveryAt);
    reader.lastDeliveryAt = at;
    const cancel = this.clock.setTimer(at - this.clock.now(), () => {
      reader.cancels.delete(cancel);
      fn();
    });
    reader.cancels.add(cancel);
  }
}

class MemoryElectionTransport implements ElectionTransport {
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly topic: MemoryElectionTopic,
    private readonly candidate: string,
  ) {}

  async start(handlers: TransportHandlers): Promise<void> {
    if (this.closed) throw new Error('transport closed');
    this.unsubscribe = this.topic.subscribe(this.candidate, handlers);
  }

  async send(record: ElectionRecord): Promise<void> {
    if (this.closed) throw new Error('transport closed');
    await this.topic.append(this.candidate, record);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
