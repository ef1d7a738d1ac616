import type { StatusUpdate } from '../protocol/agent-protocol';

/** A checkpointed status update: `seq` orders updates across restarts (per task, lower first). */
export interface StoredUpdate {
  seq: number;
  update: StatusUpdate;
}

/**
 * Where unacknowledged status updates wait (Mesos: the agent's status update manager
 * checkpoints each update before forwarding it). `write` resolves only once the update would
 * survive a machine crash.
 */
export interface StatusUpdateStore {
  /** Every stored update, lowest seq first; unreadable entries are set aside (and reported) here. */
  load(): Promise<{ updates: StoredUpdate[]; setAside: string[] }>;
  write(stored: StoredUpdate): Promise<void>;
  remove(stored: StoredUpdate): Promise<void>;
}

/** An in-memory store: unit tests, and agents whose work dir is itself throwaway (simulation). */
export class MemoryStatusUpdateStore implements StatusUpdateStore {
  private readonly entries = new Map<number, StoredUpdate>();
  /** Every write and remove in order, so tests can check "checkpointed before sent". */
  readonly journal: string[] = [];

  async load(): Promise<{ updates: StoredUpdate[]; setAside: string[] }> {
    const updates = [...this.entries.values()].sort((a, b) => a.seq - b.seq).map((entry) => structuredClone(entry));
    return { updates, setAside: [] };
  }

  async write(stored: StoredUpdate): Promise<void> {
    this.entries.set(stored.seq, structuredClone(stored));
    this.journal.push(`write ${stored.update.updateId}`);
  }

  async remove(stored: StoredUpdate): Promise<void> {
    this.entries.delete(stored.seq);
    this.journal.push(`remove ${stored.update.updateId}`);
  }

  size(): number {
    return this.entries.size;
  }
}
