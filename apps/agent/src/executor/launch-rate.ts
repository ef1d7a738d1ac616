import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '@cairn/common';
import { ProcessExecutor } from './process-executor';
import { isAlive, readProcStat } from './process-identity';
import { inheritedEnvironment, taskEnvironment } from './task-environment';
import type { TaskSpec } from './task-spec';
import { wrapperArguments } from './task-wrapper';

/**
 * Launch rate of the process executor beside a raw baseline measured in the same run: the raw
 * loop spawns the identical `sh -c <wrapper>` (same argv, env, cwd, detached, stdio) and stops at
 * the same point, "spawn returned a pid"; launch() adds the sandbox mkdir, the /proc start-time
 * read and the checkpoint write. Every process started here is SIGKILLed before returning.
 */
export interface LaunchRateOptions {
  tasks: number;
  workDir: string;
  clock: Clock;
  /** Id prefix; also lets a caller find stray processes with `pgrep -f`. */
  prefix: string;
  /** The task; default `sleep 30`. */
  command?: TaskSpec['command'];
  /** Each variant runs this many times, interleaved and rotated; the best run of each is kept. */
  rounds?: number;
  shellPath?: string;
  /** ProcessExecutorOptions.launcher; default its default (`child`). */
  launcher?: 'child' | 'in-process';
}

export interface LaunchRateResult {
  tasks: number;
  rawPerSecond: number;
  /** All launches issued at once (Promise.all), as an agent receiving a batch would. */
  launchConcurrentPerSecond: number;
  /** One launch awaited after the other. */
  launchSequentialPerSecond: number;
  /** launchConcurrentPerSecond / rawPerSecond. */
  ratioConcurrent: number;
  ratioSequential: number;
}

type Variant = 'raw' | 'concurrent' | 'sequential';

export async function measureLaunchRate(options: LaunchRateOptions): Promise<LaunchRateResult> {
  const best: Record<Variant, number> = { raw: 0, concurrent: 0, sequential: 0 };
  let run = 0;
  const variants: Variant[] = ['raw', 'concurrent', 'sequential'];
  for (let round = 0; round < (options.rounds ?? 2); round++) {
    // Rotated so that no variant always runs first (right after the previous round's kills).
    for (const variant of [...variants.slice(round % 3), ...variants.slice(0, round % 3)]) {
      run += 1;
      const rate = await measureOnce(variant, options, `${options.prefix}-r${run}`);
      best[variant] = Math.max(best[variant], rate);
    }
  }
  return {
    tasks: options.tasks,
    rawPerSecond: best.raw,
    launchConcurrentPerSecond: best.concurrent,
    launchSequentialPerSecond: best.sequential,
    ratioConcurrent: best.concurrent / best.raw,
    ratioSequential: best.sequential / best.raw,
  };
}

async function measureOnce(variant: Variant, options: LaunchRateOptions, runId: string): Promise<number> {
  const workDir = join(options.workDir, runId);
  const specs = Array.from({ length: options.tasks }, (_, i): TaskSpec => ({
    taskId: `${runId}.${i}`,
    appId: '/bench/launch-rate',
    appVersion: '2026-01-01T00:00:00.000Z',
    command: options.command ?? { shell: true, value: 'sleep 30' },
    env: {},
    ports: [31000 + i],
    host: 'localhost',
  }));
  let started: { pid: number; startTime: number }[] = [];
  let elapsedMs: number;
  if (variant === 'raw') {
    const result = spawnRaw(specs, workDir, options.shellPath ?? '/bin/sh');
    started = result.started;
    elapsedMs = result.elapsedMs;
  } else {
    const executor = new ProcessExecutor({
      workDir,
      clock: options.clock,
      shellPath: options.shellPath,
      launcher: options.launcher,
    });
    await executor.ready(); // an agent's launcher is long-lived: its start-up is not a launch cost
    const t0 = performance.now();
    if (variant === 'concurrent') {
      started = await Promise.all(specs.map((spec) => executor.launch(spec)));
    } else {
      for (const spec of specs) started.push(await executor.launch(spec));
    }
    elapsedMs = performance.now() - t0;
    executor.close();
  }
  const notRunning = started.filter((task) => !isAlive(task.pid, task.startTime)).length;
  await killGroups(started.map((task) => task.pid));
  if (notRunning > 0) throw new Error(`${variant}: ${notRunning} of ${specs.length} tasks were not running`);
  return (specs.length * 1000) / elapsedMs;
}

function spawnRaw(specs: TaskSpec[], workDir: string, shellPath: string) {
  const inherited = inheritedEnvironment(process.env);
  const prepared = specs.map((spec) => {
    const cwd = join(workDir, 'sandboxes', spec.taskId);
    mkdirSync(cwd, { recursive: true });
    return { spec, cwd, env: taskEnvironment(inherited, spec, cwd) };
  });
  const started: { pid: number; startTime: number }[] = [];
  const t0 = performance.now();
  for (const { spec, cwd, env } of prepared) {
    const child = spawn(shellPath, wrapperArguments(spec, shellPath), { cwd, env, detached: true, stdio: 'ignore' });
    child.unref();
    started.push({ pid: child.pid!, startTime: 0 });
  }
  const elapsedMs = performance.now() - t0;
  for (const task of started) task.startTime = readProcStat(task.pid)?.startTime ?? -1;
  return { started, elapsedMs };
}

/** SIGKILLs every group and waits (bounded) until their leaders are gone. */
async function killGroups(pgids: number[]): Promise<void> {
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + KILL_WAIT_MS;
  while (Date.now() < deadline && pgids.some((pgid) => liveLeader(pgid))) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const KILL_WAIT_MS = 5_000;

function liveLeader(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}
