import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findProcessesByArgumentPrefix,
  isProcessLive,
  procInfo,
  processesInGroup,
  signalQuietly,
} from './os-processes';
import { CLEANUP_ORDER, onFileEnd, pidsDir } from './test-run';
import { sleep } from './wait-for';

/**
 * An agent's work dir as the OS and the files show it (apps/agent/src/README.md, executor/README.md):
 * `agent.lock` names the agent, `sandboxes/<taskId>/task.json` each task's wrapper (pid = pgid =
 * sid, start time), `exit_status` a task's `$?`. Tasks run in their own sessions, outside the
 * agent's process group, and outlive a SIGKILLed agent: this file is how a test finds and sweeps them.
 */

/** The id the master gave the agent (`agent.json` in its work dir), once it registered. */
export function agentIdIn(workDir: string): string | undefined {
  const file = join(workDir, 'agent.json');
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { agentId?: string }).agentId;
  } catch {
    return undefined;
  }
}

/** `argv[0]` of every task wrapper: `cairn-task:<taskId>` (executor/task-wrapper.ts). */
export const TASK_WRAPPER_MARKER = 'cairn-task:';

export interface SandboxTask {
  readonly taskId: string;
  readonly appId: string;
  readonly sandboxDir: string;
  /** The wrapper (a POSIX sh); leads the task's session and process group. */
  readonly pid: number;
  readonly pgid: number;
  readonly startTime: number;
  /** The task's `$?` once it ended (128 + n after signal n), else undefined. */
  readonly exitStatus?: number;
}

interface TaskCheckpointFile {
  spec?: { taskId?: string; appId?: string };
  pid?: number;
  pgid?: number;
  startTime?: number;
  sandboxDir?: string;
}

/** Every sandbox of the work dir that has a checkpoint (task.json), oldest launch first. */
export function readSandboxTasks(workDir: string): SandboxTask[] {
  const root = join(workDir, 'sandboxes');
  if (!existsSync(root)) return [];
  const tasks: SandboxTask[] = [];
  for (const taskId of readdirSync(root)) {
    const dir = join(root, taskId);
    let checkpoint: TaskCheckpointFile;
    try {
      checkpoint = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as TaskCheckpointFile;
    } catch {
      continue; // no checkpoint yet (a launch under way), or written as we read
    }
    if (typeof checkpoint.pid !== 'number' || typeof checkpoint.startTime !== 'number') continue;
    const exitText = existsSync(join(dir, 'exit_status')) ? readFileSync(join(dir, 'exit_status'), 'utf8').trim() : '';
    tasks.push({
      taskId: checkpoint.spec?.taskId ?? taskId,
      appId: checkpoint.spec?.appId ?? '',
      sandboxDir: dir,
      pid: checkpoint.pid,
      pgid: checkpoint.pgid ?? checkpoint.pid,
      startTime: checkpoint.startTime,
      ...(exitText === '' ? {} : { exitStatus: Number(exitText) }),
    });
  }
  return tasks;
}

/** The agent process holding the work dir's lock, if that very process (pid + start time) still runs. */
export function lockHolder(workDir: string): { pid: number; startTime: number } | undefined {
  let text: string;
  try {
    text = readFileSync(join(workDir, 'agent.lock'), 'utf8');
  } catch {
    return undefined;
  }
  const match = /^(\d+) (-?\d+)/.exec(text);
  if (!match) return undefined;
  const holder = { pid: Number(match[1]), startTime: Number(match[2]) };
  return isProcessLive(holder.pid, holder.startTime) ? holder : undefined;
}

/**
 * Process groups of the work dir's tasks that still have live members. A group is ours while its
 * leader (the wrapper) is the checkpointed process, or is gone: Linux does not hand out a pgid's
 * number as a new pid while any member of the group lives, so live members are the task's.
 */
export function liveTaskGroups(workDir: string): { taskId: string; pgid: number; members: number[] }[] {
  const groups: { taskId: string; pgid: number; members: number[] }[] = [];
  for (const task of readSandboxTasks(workDir)) {
    const leader = procInfo(task.pgid);
    // The leader's pid held by another process: the number was free, so our group was gone.
    if (leader && leader.startTime !== task.startTime) continue;
    const members = processesInGroup(task.pgid).map((p) => p.pid);
    if (members.length > 0) groups.push({ taskId: task.taskId, pgid: task.pgid, members });
  }
  return groups;
}

/** Task wrappers found by their marker whose cwd (their sandbox) is under the work dir. */
export function liveWrappers(workDirs: readonly string[]): number[] {
  return findProcessesByArgumentPrefix(TASK_WRAPPER_MARKER, workDirs).map((p) => p.pid);
}

// Work dirs whose agents and tasks are swept when the test file ends, whatever happened to the agent.
const sweptAtFileEnd = new Set<string>();
const taskRecordFiles = new Set<string>();
const SWEEP_EXIT_TIMEOUT_MS = 5_000;

/** Makes sure the work dir's agent and tasks do not outlive the test file (also after a SIGKILL of the agent). */
export function sweepWorkDirAtFileEnd(workDir: string): void {
  sweptAtFileEnd.add(workDir);
}

/**
 * Writes a pid record (test-run's format) for each live task group of the work dir, so that
 * test/run-tests.js sweeps them too should this jest worker die before its own sweep.
 */
export function recordTaskGroups(workDir: string): void {
  for (const task of readSandboxTasks(workDir)) {
    if (!isProcessLive(task.pid, task.startTime)) continue;
    const file = join(pidsDir(), `task-${task.pid}-${task.startTime}.json`);
    if (taskRecordFiles.has(file)) continue;
    writeFileSync(
      file,
      JSON.stringify({
        pid: task.pid,
        pgid: task.pgid,
        startTime: task.startTime,
        cmd: `${TASK_WRAPPER_MARKER}${task.taskId}`,
      }),
    );
    taskRecordFiles.add(file);
  }
}

/**
 * SIGKILLs the work dir's agent (from agent.lock), every live task group named by a checkpoint,
 * and every wrapper found by its marker under the work dir (a launch that died before its
 * checkpoint); waits until they are gone. Resolves with what was still alive before it signalled.
 */
export async function sweepWorkDir(workDir: string): Promise<{ agent?: number; groups: number[]; wrappers: number[] }> {
  const agent = lockHolder(workDir);
  if (agent) signalQuietly(agent.pid, 'SIGKILL');
  const groups = liveTaskGroups(workDir).map((g) => g.pgid);
  const wrappers = liveWrappers([workDir]);
  for (const pgid of groups) signalQuietly(-pgid, 'SIGKILL');
  for (const pid of wrappers) {
    signalQuietly(-pid, 'SIGKILL'); // the wrapper leads its group
    signalQuietly(pid, 'SIGKILL');
  }
  const deadline = Date.now() + SWEEP_EXIT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const left = liveTaskGroups(workDir).length + liveWrappers([workDir]).length + (lockHolder(workDir) ? 1 : 0);
    if (left === 0) break;
    await sleep(50);
  }
  return { ...(agent ? { agent: agent.pid } : {}), groups, wrappers };
}

async function sweepAllWorkDirs(): Promise<void> {
  const leftovers: string[] = [];
  for (const workDir of sweptAtFileEnd) {
    const swept = await sweepWorkDir(workDir);
    if (swept.agent !== undefined || swept.groups.length > 0 || swept.wrappers.length > 0) {
      leftovers.push(`${workDir}: agent ${swept.agent ?? '-'}, task groups [${swept.groups.join(', ')}]`);
    }
  }
  sweptAtFileEnd.clear();
  for (const file of taskRecordFiles) rmSync(file, { force: true });
  taskRecordFiles.clear();
  if (leftovers.length > 0 && process.env.CAIRN_DEBUG) {
    process.stderr.write(`[harness] swept agents' leftovers:\n  ${leftovers.join('\n  ')}\n`);
  }
}

// After the tracked processes (the agents themselves) are killed, before the temp dirs (which
// hold the checkpoints naming the tasks) are removed.
onFileEnd((CLEANUP_ORDER.processes + CLEANUP_ORDER.tempDirs) / 2, sweepAllWorkDirs);
