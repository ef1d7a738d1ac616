import type { ElectionRecord } from './election-record';

/** What a transport tells its runner; the runner may be called from any I/O callback. */
export interface TransportHandlers {
  /** The next record of the election topic, in offset order, each exactly once. */
  onRecord(record: ElectionRecord): void;
  /** The topic has been read up to where it ended when reading began (called once). */
  onCaughtUp(): void;
}

/**
 * The election topic as one candidate sees it: append a record, read every record in order.
 * Adapters differ only here (in memory, Kafka); the decisions are the shared ElectionMachine's.
 */
export interface ElectionTransport {
  /** Starts reading from the beginning of what the topic still holds; resolves when reading. */
  start(handlers: TransportHandlers): Promise<void>;
  /** Appends one record; resolves once the topic has it (Kafka: acks -1). */
  send(record: ElectionRecord): Promise<void>;
  /** Stops reading and writing; nothing of it runs afterwards. */
  close(): Promise<void>;
}
