import { ChildProcess, spawn } from 'node:child_process';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/**
 * A dev cluster runs many mostly idle processes on one laptop: its agent offers 4 cpus per core
 * (at least 8), so a few apps with Marathon's default of 1 cpu each run without tuning.
 * `cairn agent` offers what it detects.
 */
export const DEV_CPU_OVERCOMMIT = 4;
export const DEV_MIN_CPUS = 8;

/** How long `cairn dev` waits for its agent to kill the tasks and exit before killing it. */
export const LOCAL_AGENT_STOP_TIMEOUT_MS = 15_000;

export interface LocalAgent {
  /** Kills the agent's tasks (SIGUSR1: "shut down and kill tasks", as Mesos agents) and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * The agent of `cairn dev`: a child process (tasks are spawned from a small process, never from
 * the one holding cluster state), in its own process group so the terminal's Ctrl-C reaches only
 * `cairn dev`, which then stops the agent with its tasks and the master, in that order.
 */
export function startLocalAgent(options: {
  masterUrl: string;
  dataDir: string;
  agentToken: string;
  stderr: NodeJS.WritableStream;
}): Promise<LocalAgent> {
  const child = spawn(
    process.execPath,
    [
      join(__dirname, '..', 'main.js'),
      'agent',
      '--master',
      options.masterUrl,
      '--work-dir',
      join(options.dataDir, 'agent'),
      '--hostname',
      hostname(),
      '--port',
      '0',
      '--resources',
      `cpus:${Math.max(cpus().length * DEV_CPU_OVERCOMMIT, DEV_MIN_CPUS)}`,
    ],
    {
      env: { ...process.env, CAIRN_AGENT_TOKEN: options.agentToken },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  (child.stderr as Readable).pipe(options.stderr, { end: false });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve({ stop: () => stopAgent(child) }));
  });
}

function stopAgent(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), LOCAL_AGENT_STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGUSR1');
  });
}
