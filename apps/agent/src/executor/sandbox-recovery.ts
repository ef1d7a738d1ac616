import { isExitAcknowledged, readExitStatus } from './exit-status-file';
import { signalGroup } from './process-group';
import { currentBootId, isAlive, readProcStat } from './process-identity';
import { findProcessesByArgument } from './process-scan';
import { readCheckpoint, type TaskCheckpoint } from './task-checkpoint';
import { exitFromStatus, type TaskExit } from './task-exit';
import { wrapperMarker } from './task-wrapper';

/** What a sandbox holds after an agent restart. */
export type SandboxFinding =
  | { state: 'running'; checkpoint: TaskCheckpoint }
  | { state: 'exited'; checkpoint?: TaskCheckpoint; exit: TaskExit }
  | { state: 'lost'; checkpoint?: TaskCheckpoint; reason: string };

/**
 * Classifies one sandbox (undefined: its exit was acknowledged, nothing to do), in this order:
 *
 * | exit_status | checkpoint | wrapper (pid, start time, boot) | finding                          |
 * |-------------|------------|---------------------------------|----------------------------------|
 * | yes         | any        | any                             | exited with the recorded code    |
 * | no          | none       | found by its `$0` marker        | lost; its group SIGKILLed        |
 * | no          | yes        | alive                           | running                          |
 * | no          | yes        | gone                            | lost; leftovers of the group SIGKILLed |
 *
 * A sandbox without a checkpoint is a launch the agent never confirmed (it died between spawn and
 * checkpoint): nobody was told the task runs, so it is stopped rather than left unknown.
 */
export async function recoverSandbox(taskId: string, sandboxDir: string): Promise<SandboxFinding | undefined> {
  if (await isExitAcknowledged(sandboxDir)) return undefined;
  let checkpoint: TaskCheckpoint | undefined;
  let checkpointProblem: string | undefined;
  try {
    checkpoint = await readCheckpoint(sandboxDir);
  } catch (error) {
    checkpointProblem = `unusable checkpoint: ${String(error)}`;
  }
  const recorded = await readExitStatus(sandboxDir);
  if (recorded)
    return { state: 'exited', checkpoint, exit: exitFromStatus(taskId, recorded.exitCode, recorded.recordedAt) };
  if (!checkpoint) {
    for (const pid of findProcessesByArgument(wrapperMarker(taskId))) {
      signalGroup({ pid, startTime: readProcStat(pid)?.startTime ?? -1 }, 'SIGKILL');
    }
    return { state: 'lost', reason: checkpointProblem ?? 'the agent stopped before the launch was checkpointed' };
  }
  const sameBoot = checkpoint.bootId === currentBootId();
  if (sameBoot && isAlive(checkpoint.pid, checkpoint.startTime)) return { state: 'running', checkpoint };
  const late = await readExitStatus(sandboxDir); // it may have exited between the two looks
  if (late) return { state: 'exited', checkpoint, exit: exitFromStatus(taskId, late.exitCode, late.recordedAt) };
  if (!sameBoot) return { state: 'lost', checkpoint, reason: 'the machine rebooted since the launch' };
  signalGroup(checkpoint, 'SIGKILL'); // what is left of a group whose wrapper was killed from outside
  return {
    state: 'lost',
    checkpoint,
    reason: 'the task ended without recording an exit status (its wrapper was killed)',
  };
}
