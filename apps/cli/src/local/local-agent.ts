import { ChildProcess, spawn } from 'node:child_process';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors';

/**
 * A dev cluster runs many mostly idle processes on one laptop: its agent offers 4 cpus per core
 * (at least 8), so a few apps with Marathon's default of 1 cpu each run without tuning.
 * `cairn agent` offers what it detects.
 */
export const DEV_CPU_OVERCOMMIT = 4;
export const DEV_MIN_CPUS = 8;

/** Mesos's default port resource: what the dev agent offers unless `--task-ports` says otherwise. */
export const DEV_TASK_PORTS = '31000-32000';

/**
 * `31000-32000` or `20000-20099,21000-21099` (a single port `p` is `p-p`), checked here so a typo
 * is a usage error of `cairn dev`, not an agent that dies at start.
 */
export function parseTaskPorts(raw: string): string {
  const ranges = raw.split(',').map((part) => part.trim());
  for (const range of ranges) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    const begin = Number(match?.[1]);
    const end = Number(match?.[2] ?? match?.[1]);
    if (!match || begin < 1 || end > 65_535 || begin > end) {
      throw new UsageError(
        `task ports '${raw}': '${range}' is not a port range like 31000-32000 (1-65535, begin ≤ end; several separated by commas)`,
      );
    }
  }
  return ranges.map((range) => (range.includes('-') ? range : `${range}-${range}`)).join(',');
}

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
  /** Checked by parseTaskPorts: `begin-end[,begin-end…]`. */
  taskPorts: string;
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
      `cpus:${Math.max(cpus().length * DEV_CPU_OVERCOMMIT, DEV_MIN_CPUS)};ports:[${options.taskPorts}]`,
    ],
    {
      env: { ...process.env, CAIRN_AGENT_TOKEN: options.agentToken },
      // The IPC channel is the agent's lifeline: if this process dies without stopping it, the
      // channel disconnects and the agent kills its tasks and exits (agent.command.ts).
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
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
