import type { StatusUpdateStore, StoredUpdate } from '../status/status-update-store';

/**
 * Keeps nothing: a simulated agent's tasks die with its process, so there is nothing to resend
 * after a restart (the queue itself holds the updates until they are acked). Unlike
 * MemoryStatusUpdateStore it keeps no copy and no journal, so ten thousand updates cost nothing.
 */
export class NullStatusUpdateStore implements StatusUpdateStore {
  async load(): Promise<{ updates: StoredUpdate[]; setAside: string[] }> {
    return { updates: [], setAside: [] };
  }

  async write(): Promise<void> {}

  async remove(): Promise<void> {}
}
