import { describeStatusUpdateStoreContract } from '../testing/status-update-store.contract';
import { MemoryStatusUpdateStore } from './status-update-store';

describeStatusUpdateStoreContract('MemoryStatusUpdateStore', () => ({
  create: async () => new MemoryStatusUpdateStore(),
  reopen: async (store) => store,
  cleanup: async () => undefined,
}));
