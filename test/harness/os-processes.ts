import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * What the operating system says about processes, read from /proc (Linux), so that tests check
 * the machine rather than the API. A zombie (state Z: dead, not yet reaped) counts as gone.
 */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** /proc/<pid>/stat field 3: R, S, D, Z, T... */
  readonly state: string;
  /** /proc/<pid>/stat field 22: clock ticks since boot when it started; with the pid, its identity. */
  readonly startTime: number;
}

/** The stat of one process, or undefined when it does not exist (or we cannot read it). */
export function procInfo(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `comm` (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3, so field n is fields[n - 3].
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[4 - 3]),
    pgid: Number(fields[5 - 3]),
    startTime: Number(fields[22 - 3]),
  };
}

/** Alive and not a zombie; with `startTime`, also the same process (not a reused pid). */
export function isProcessLive(pid: number, startTime?: number): boolean {
  const info = procInfo(pid);
  if (!info || info.state === 'Z') return false;
  return startTime === undefined || info.startTime === startTime;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Live (non-zombie) members of a process group, as `pgrep -g <pgid>` would list them. */
export function processesInGroup(pgid: number): ProcInfo[] {
  const members: ProcInfo[] = [];
  for (const pid of allPids()) {
    const info = procInfo(pid);
    if (info && info.pgid === pgid && info.state !== 'Z') members.push(info);
  }
  return members;
}

/** Live children of a process (e.g. the task under its sh wrapper). */
export function childProcesses(ppid: number): ProcInfo[] {
  const children: ProcInfo[] = [];
  for (const pid of allPids()) {
    const info = procInfo(pid);
    if (info && info.ppid === ppid && info.state !== 'Z') children.push(info);
  }
  return children;
}

/** argv of a process ('' when it is gone). */
export function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The current directory of a process, or undefined when it is gone or not ours to read. */
export function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/**
 * Live processes whose argv has an argument starting with `prefix` and whose current directory is
 * under one of `dirs`: how a test finds the task wrappers (`cairn-task:<id>`, cwd = the sandbox)
 * of its own agents, and no one else's.
 */
export function findProcessesByArgumentPrefix(prefix: string, dirs: readonly string[]): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    if (!commandLineOf(pid).some((arg) => arg.startsWith(prefix))) continue;
    const cwd = cwdOf(pid);
    if (cwd === undefined || !dirs.some((dir) => cwd === dir || cwd.startsWith(dir + '/'))) continue;
    const info = procInfo(pid);
    if (info && info.state !== 'Z') found.push(info);
  }
  return found;
}

/** Sends a signal, ignoring a process (or group: negative id) that is already gone. */
export function signalQuietly(target: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false;
  }
}
