import { readProcStat, type ProcessIdentity } from './process-identity';

/**
 * Signals the process group led by `leader` (pgid = leader's pid), unless that number now names
 * someone else's group. While any member of a group lives, Linux does not hand its id out as a
 * new pid, so: the leader alive with our start time, or no process at all with that pid, means
 * any group with that id is still ours. A process with that pid and another start time means
 * ours is empty and the id was reused. Returns false when nothing was signalled.
 */
export function signalGroup(leader: ProcessIdentity, signal: NodeJS.Signals | 0): boolean {
  const stat = readProcStat(leader.pid);
  if (stat && stat.startTime !== leader.startTime) return false;
  try {
    process.kill(-leader.pid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false; // gone, or not ours to signal
    throw error;
  }
}

/** True while any process of the group is left (zombies count: they are not reaped yet). */
export function groupExists(leader: ProcessIdentity): boolean {
  return signalGroup(leader, 0);
}
