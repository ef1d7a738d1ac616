import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { hasErrorCode } from '../fs/fs.port';

/**
 * Who a process is, precisely enough that a recycled pid is not mistaken for it: the pid plus
 * its start time in clock ticks since boot (/proc/<pid>/stat, field 22), plus the host, since a
 * pid means nothing on another machine (a log directory on a network share).
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** null where /proc is unavailable (then only the pid is compared). */
  readonly startTicks: number | null;
  readonly hostname: string;
}

export interface ProcessProbe {
  self(): Promise<ProcessIdentity>;
  /** Whether that very process (same pid and start time) still runs; true when it cannot tell. */
  isAlive(identity: ProcessIdentity): Promise<boolean>;
}

/** /proc/<pid>/stat field numbers (1-based, as proc(5) counts them). */
const STAT_FIELD_STATE = 3;
const STAT_FIELD_STARTTIME = 22;
/** Process states that are gone though the pid is still listed: zombie, dead. */
const DEAD_STATES = new Set(['Z', 'X', 'x']);

export interface ProcStat {
  readonly state: string;
  readonly startTicks: number;
}

/** Parses /proc/<pid>/stat. The command (field 2) may hold spaces and parentheses: split after its last ')'. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`unexpected /proc stat line: ${text.slice(0, 80)}`);
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3.
  const state = fields[STAT_FIELD_STATE - 3];
  const startTicks = Number(fields[STAT_FIELD_STARTTIME - 3]);
  if (!state || !Number.isSafeInteger(startTicks)) throw new Error(`unexpected /proc stat line: ${text.slice(0, 80)}`);
  return { state, startTicks };
}

async function readProcStat(pid: number | 'self'): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ESRCH')) return undefined;
    throw error;
  }
}

/** The real probe: /proc on Linux, `kill(pid, 0)` elsewhere. */
export class OsProcessProbe implements ProcessProbe {
  async self(): Promise<ProcessIdentity> {
    const stat = await readProcStat('self');
    return { pid: process.pid, startTicks: stat?.startTicks ?? null, hostname: hostname() };
  }

  async isAlive(identity: ProcessIdentity): Promise<boolean> {
    if (identity.hostname !== hostname()) return true;
    if (identity.startTicks !== null && (await readProcStat('self')) !== undefined) {
      const stat = await readProcStat(identity.pid);
      return stat !== undefined && !DEAD_STATES.has(stat.state) && stat.startTicks === identity.startTicks;
    }
    try {
      process.kill(identity.pid, 0);
      return true;
    } catch (error) {
      return !hasErrorCode(error, 'ESRCH');
    }
  }
}
