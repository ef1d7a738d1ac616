import fc from 'fast-check';
import type { TaskState } from '@cairn/events';
import { appIdOfTask, isTerminal, taskIdFor } from './task-states';

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

describe('terminal states', () => {
  it.each<[TaskState, boolean]>([
    ['TASK_STAGING', false],
    ['TASK_STARTING', false],
    ['TASK_RUNNING', false],
    ['TASK_KILLING', false],
    ['TASK_FINISHED', true],
    ['TASK_FAILED', true],
    ['TASK_KILLED', true],
    ['TASK_ERROR', true],
    ['TASK_LOST', true],
    ['TASK_DROPPED', true],
    ['TASK_GONE', true],
    ['TASK_UNREACHABLE', true],
    ['TASK_UNKNOWN', true],
  ])('%s terminal: %s', (state, terminal) => {
    expect(isTerminal(state)).toBe(terminal);
  });
});
