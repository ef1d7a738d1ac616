import fc from 'fast-check';
import { MESOS_TERMINAL_STATES, type TaskState } from '@cairn/events';
import { appIdOfTask, endsTask, isTerminal, taskIdFor, TERMINAL_STATES } from './task-states';

describe('task ids', () => {
  it.each([
    ['/web', 'web.11111111-2222-4333-8444-555555555555'],
    ['/prod/web', 'prod_web.11111111-2222-4333-8444-555555555555'],
    ['/a/b.c/d', 'a_b.c_d.11111111-2222-4333-8444-555555555555'],
  ])("%s's tasks are named %s (Marathon's format)", (appId, taskId) => {
    expect(taskIdFor(appId, '11111111-2222-4333-8444-555555555555')).toBe(taskId);
  });

  it('the app id is found again from any task id (tools rely on it)', () => {
    const segment = fc
      .stringMatching(/^[a-z0-9][a-z0-9.-]{0,8}$/)
      .filter((s) => !s.endsWith('.') && s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.uuid(), (segments, uuid) => {
        const appId = '/' + segments.join('/');
        expect(appIdOfTask(taskIdFor(appId, uuid))).toBe(appId);
      }),
    );
  });
});

describe("terminal states (Mesos) and the master's replace-now policy", () => {
  it.each<[TaskState, boolean, boolean]>([
    ['TASK_STAGING', false, false],
    ['TASK_STARTING', false, false],
    ['TASK_RUNNING', false, false],
    ['TASK_KILLING', false, false],
    ['TASK_FINISHED', true, true],
    ['TASK_FAILED', true, true],
    ['TASK_KILLED', true, true],
    ['TASK_ERROR', true, true],
    ['TASK_LOST', true, true],
    ['TASK_DROPPED', true, true],
    ['TASK_GONE', true, true],
    // May come back: not terminal; replaced at once all the same (unreachableStrategy {0, 0}).
    ['TASK_UNREACHABLE', false, true],
    ['TASK_UNKNOWN', false, true],
  ])('%s terminal: %s, ends the task: %s', (state, terminal, ends) => {
    expect(isTerminal(state)).toBe(terminal);
    expect(endsTask(state)).toBe(ends);
  });

  it('is one definition for the master and the agent', () => {
    expect(TERMINAL_STATES).toBe(MESOS_TERMINAL_STATES);
  });
});
