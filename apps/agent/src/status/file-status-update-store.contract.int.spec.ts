import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStatusUpdateStore } from './file-status-update-store';
import { describeStatusUpdateStoreContract } from '../testing/status-update-store.contract';

describeStatusUpdateStoreContract('FileStatusUpdateStore', () => {
  const dirs: string[] = [];
  return {
    create: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-status-store-'));
      dirs.push(dir);
      return new FileStatusUpdateStore(dir);
    },
    reopen: async (store) => new FileStatusUpdateStore(join((store as FileStatusUpdateStore).dir, '..')),
    cleanup: async () => {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
});
