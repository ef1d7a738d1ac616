import { cli } from './cli';
import type { MasterHandle } from './master';

export interface ReplayResult {
  readonly hash: string;
  readonly offset: number;
  readonly events: number;
}

const REPLAY_TIMEOUT_MS = 60_000;

/** `cairn replay --json` over the master's log (read-only: it may run while the master does). */
export async function offlineReplay(master: MasterHandle): Promise<ReplayResult> {
  const result = await cli(['replay', '--json'], { env: master.cliEnv(), timeoutMs: REPLAY_TIMEOUT_MS });
  if (result.code !== 0) {
    throw new Error(`cairn replay --json exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  try {
    return JSON.parse(result.stdout) as ReplayResult;
  } catch {
    throw new Error(`cairn replay --json printed no JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
