import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of live processes whose argv contains `marker` as one whole argument. Reads every
 * /proc/<pid>/cmdline: for recovery paths only (a launch the agent did not get to checkpoint).
 */
export function findProcessesByArgument(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited while we looked, or not ours to read
    }
    if (cmdline.split('\0').includes(marker)) found.push(Number(entry));
  }
  return found;
}
