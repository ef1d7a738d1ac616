import { readFileSync } from 'node:fs';

/**
 * A process's identity on this machine: pid + start time (clock ticks after boot, /proc/<pid>/stat
 * field 22) + boot id. Pids are reused (pid_max is 32768 on many hosts), so a pid alone names
 * nothing once its process has died; the start time does not change across exec, and the boot id
 * rules out a coincidence after a reboot. Linux only (/proc).
 */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

/** The fields of /proc/<pid>/stat the executor uses. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T, ... */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  startTime: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain
 * spaces and ')', so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`unparsable /proc stat line: ${text.slice(0, 80)}`);
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    state: fields[0] ?? '',
    ppid: field(4),
    pgid: field(5),
    sid: field(6),
    startTime: field(22),
  };
}

/** /proc/<pid>/stat, or undefined when there is no such process. Synchronous: a few µs. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    if (isNoSuchProcess(error)) return undefined;
    throw error;
  }
}

/** True when `pid` is a live (not zombie) process that started at `startTime`. */
export function isAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== 'Z';
}

let bootIdCache: string | undefined;

/** This boot's id (/proc/sys/kernel/random/boot_id); a checkpoint from another boot names no live process. */
export function currentBootId(): string {
  bootIdCache ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return bootIdCache;
}

function isNoSuchProcess(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}
