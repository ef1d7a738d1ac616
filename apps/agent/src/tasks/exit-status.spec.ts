import { statusForExit } from './exit-status';

const AT = '2026-01-01T00:00:00.000Z';

describe('statusForExit', () => {
  it.each([
    {
      name: 'exit 0 is FINISHED',
      exit: { taskId: 't', kind: 'exited', exitCode: 0, finishedAt: 0 } as const,
      killed: false,
      want: { state: 'TASK_FINISHED', exitCode: 0, reason: null },
    },
    {
      name: 'a non-zero exit is FAILED with its code',
      exit: { taskId: 't', kind: 'exited', exitCode: 3, finishedAt: 0 } as const,
      killed: false,
      want: {
        state: 'TASK_FAILED',
        exitCode: 3,
        reason: 'REASON_COMMAND_EXECUTOR_FAILED',
        message: 'exited with status 3',
      },
    },
    {
      name: 'a signal nobody asked for is FAILED',
      exit: { taskId: 't', kind: 'signaled', signal: 'SIGKILL', exitCode: 137, finishedAt: 0 } as const,
      killed: false,
      want: { state: 'TASK_FAILED', exitCode: 137, message: 'killed by SIGKILL' },
    },
    {
      name: 'a requested kill is KILLED, whatever the exit code',
      exit: { taskId: 't', kind: 'exited', exitCode: 0, finishedAt: 0 } as const,
      killed: true,
      want: { state: 'TASK_KILLED', exitCode: 0 },
    },
    {
      name: 'a requested kill that ends in SIGTERM is KILLED with 143',
      exit: { taskId: 't', kind: 'signaled', signal: 'SIGTERM', exitCode: 143, finishedAt: 0 } as const,
      killed: true,
      want: { state: 'TASK_KILLED', exitCode: 143 },
    },
    {
      name: 'a task lost without a status is FAILED without a code',
      exit: { taskId: 't', kind: 'lost', reason: 'wrapper killed', finishedAt: 0 } as const,
      killed: false,
      want: { state: 'TASK_FAILED', exitCode: null, reason: 'REASON_EXECUTOR_TERMINATED', message: 'wrapper killed' },
    },
    {
      name: 'a task lost while being killed is KILLED',
      exit: { taskId: 't', kind: 'lost', reason: 'wrapper killed', finishedAt: 0 } as const,
      killed: true,
      want: { state: 'TASK_KILLED', exitCode: null },
    },
  ])('$name', ({ exit, killed, want }) => {
    expect(statusForExit(exit, killed, AT)).toMatchObject({ taskId: 't', at: AT, ...want });
  });
});
