import { exitFromStatus, statusForSignal } from './task-exit';

describe('exitFromStatus', () => {
  const cases = [
    { name: 'zero is a clean exit', code: 0, want: { kind: 'exited', exitCode: 0 } },
    { name: 'exit 3 is an exit with code 3', code: 3, want: { kind: 'exited', exitCode: 3 } },
    { name: 'command not found (127) is an exit', code: 127, want: { kind: 'exited', exitCode: 127 } },
    { name: '128 is an exit (no signal 0)', code: 128, want: { kind: 'exited', exitCode: 128 } },
    { name: '143 is SIGTERM', code: 143, want: { kind: 'signaled', signal: 'SIGTERM', exitCode: 143 } },
    { name: '137 is SIGKILL', code: 137, want: { kind: 'signaled', signal: 'SIGKILL', exitCode: 137 } },
    { name: '255 is an exit (beyond signal numbers)', code: 255, want: { kind: 'exited', exitCode: 255 } },
  ];
  it.each(cases)('$name', ({ code, want }) => {
    expect(exitFromStatus('t', code, 5)).toEqual({ taskId: 't', finishedAt: 5, ...want });
  });

  it('round-trips statusForSignal', () => {
    expect(exitFromStatus('t', statusForSignal('SIGINT'), 0)).toMatchObject({ signal: 'SIGINT', exitCode: 130 });
  });
});
