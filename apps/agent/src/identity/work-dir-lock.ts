import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkDirLockedError } from '../agent-errors';
import { readProcStat } from '../executor/process-identity';

export const LOCK_FILE = 'agent.lock';

export interface WorkDirLock {
  release(): Promise<void>;
}

/**
 * One agent per work dir: two would adopt the same tasks and report each exit twice. The lock
 * file names its holder by pid and process start time, so the lock of an agent that died (even
 * with SIGKILL) is taken over, and a reused pid is not mistaken for it.
 */
export async function lockWorkDir(workDir: string): Promise<WorkDirLock> {
  const file = join(workDir, LOCK_FILE);
  const me = `${process.pid} ${readProcStat(process.pid)?.startTime ?? -1}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(me);
      await handle.close();
      return {
        release: async () => {
          const text = await readFile(file, 'utf8').catch(() => undefined);
          if (text === me) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = parseHolder(await readFile(file, 'utf8').catch(() => ''));
    if (holder && readProcStat(holder.pid)?.startTime === holder.startTime) {
      throw new WorkDirLockedError({ workDir, pid: holder.pid });
    }
    await rm(file, { force: true }); // a dead agent's lock
  }
  throw new WorkDirLockedError({ workDir, pid: -1 }); // another agent took it over at the same moment
}

function parseHolder(text: string): { pid: number; startTime: number } | undefined {
  const match = /^(\d+) (-?\d+)\n?$/.exec(text);
  return match ? { pid: Number(match[1]), startTime: Number(match[2]) } : undefined;
}
