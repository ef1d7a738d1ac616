import { SystemClock } from '@cairn/common';
import { measureLaunchRate } from '../../apps/agent/src/executor/launch-rate';

/**
 * `node dist/bench/agents/raw-launch-child.js '<json>'`: measureLaunchRate in a fresh, small
 * process, printing its result (and this process's RSS) as one JSON line. spawn() costs a fork of
 * its caller in proportion to the caller's memory, so the raw baseline must not run in the
 * benchmark process, whose size depends on what ran before it (a 10,000-task simulation more
 * than doubles it, and with it the cost of every raw spawn).
 */
export interface RawLaunchRequest {
  tasks: number;
  workDir: string;
  prefix: string;
  command: string;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as RawLaunchRequest;
  const result = await measureLaunchRate({
    tasks: request.tasks,
    workDir: request.workDir,
    clock: new SystemClock(),
    prefix: request.prefix,
    command: { shell: true, value: request.command },
    rounds: 1,
  });
  process.stdout.write(JSON.stringify({ ...result, rssBytes: process.memoryUsage().rss }) + '\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
