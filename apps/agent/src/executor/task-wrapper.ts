import { EXIT_STATUS_FILE, STDERR_FILE, STDOUT_FILE, TEMP_SUFFIX } from './sandbox-layout';
import type { TaskSpec } from './task-spec';

/**
 * The per-task wrapper: a POSIX sh that stands between agent and task as Mesos's executor does.
 * The agent spawns it detached (its own session, so pid = pgid = sid) with the sandbox as cwd,
 * and it outlives the agent. Line by line:
 *
 * 1. Trap every signal a group kill may carry, with a no-op handler (not '': an ignored signal
 *    would stay ignored in the task). The agent signals the whole group, so the task receives the
 *    signal itself; the wrapper only has to survive it to record the status.
 * 2. Run the task in the FOREGROUND, as a child in the same process group. Not with `&`: POSIX sh
 *    starts asynchronous lists with SIGINT and SIGQUIT ignored when job control is off, and no
 *    `trap` can undo that (dash marks them hard-ignored), so a backgrounded task could never be
 *    interrupted. A foreground child keeps default dispositions; the price is that the wrapper's
 *    traps run only after the task ends, which is all they need to do.
 * 3. Record `$?` (128 + n after a death by signal n) atomically: a temporary file, then a rename
 *    (`command -p` finds mv on the default PATH whatever PATH the app sets).
 * 4. SIGKILL what is left of the group (and the wrapper with it): a task's leftover background
 *    children die with the task, as Mesos destroys a container when its task ends.
 *
 * The script is passed inline (`sh -c`), not written to a file: sh reads script files lazily, so
 * replacing the file under running wrappers (an agent upgrade) would corrupt them.
 */
export const TASK_WRAPPER_SCRIPT = [
  'trap : HUP INT QUIT ALRM TERM USR1 USR2',
  `"$@" >${STDOUT_FILE} 2>${STDERR_FILE} </dev/null`,
  'cairn_status=$?',
  `printf '%s\\n' "$cairn_status" >${EXIT_STATUS_FILE}${TEMP_SUFFIX} && ` +
    `command -p mv -f ${EXIT_STATUS_FILE}${TEMP_SUFFIX} ${EXIT_STATUS_FILE}`,
  'kill -KILL 0',
].join('\n');

/** `$0` of the wrapper: names the task in `ps` and lets a crashed launch's wrapper be found again. */
export function wrapperMarker(taskId: string): string {
  return `cairn-task:${taskId}`;
}

/** The task's own argv: `cmd` through the shell, `args` as they are. */
export function taskArgv(spec: TaskSpec, shellPath: string): string[] {
  return spec.command.shell ? [shellPath, '-c', spec.command.value] : [...spec.command.args];
}

/** Arguments for `spawn(shellPath, ...)`: the wrapper script, its `$0`, then the task's argv as `$@`. */
export function wrapperArguments(spec: TaskSpec, shellPath: string): string[] {
  return ['-c', TASK_WRAPPER_SCRIPT, wrapperMarker(spec.taskId), ...taskArgv(spec, shellPath)];
}
