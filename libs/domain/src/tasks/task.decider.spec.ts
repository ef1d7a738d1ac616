import type { TaskState } from '@cairn/events';
import { draft } from '../command';
import {
  APPLIED_UPDATE_IDS_MAX,
  appliedUpdateIdsBound,
  initialState,
  UPDATE_IDS_PER_TASK,
  UPDATE_IDS_SCALE_LEVEL,
} from '../state';
import { rememberUpdateId } from './task.decider';
import { evolve } from '../decider';
import { eventCounts, given, iso, recorded, T0 } from '../testing/decider-spec';
import { withoutCauses } from '../testing/decider-spec';
import {
  anAgent,
  appCreated,
  aTask,
  definitionOf,
  killRequested,
  launchDelayed,
  reportStatus,
  statusUpdated,
} from '../testing/cluster-builders';
import { TERMINAL_STATES } from './task-states';

const SECOND_MS = 1_000;
const T1 = T0 + 10 * SECOND_MS;
const T2 = T0 + 20 * SECOND_MS;

const a1 = anAgent('a1');
/** backoff 2 s, factor 2, at most 10 s: delays 2, 4, 8, 10, 10 ... */
const WEB_FIELDS = { instances: 1, backoffSeconds: 2, backoffFactor: 2, maxLaunchDelaySeconds: 10 };
const web = appCreated('/web', WEB_FIELDS);
const web1 = aTask('/web', 'web.1').onAgent('a1');
const launchedWeb1 = [a1.registered(), web, web1.launched()];

describe('ReportTaskStatus', () => {
  it('RUNNING is recorded with the agent update id', () => {
    given(launchedWeb1)
      .when(reportStatus('web.1', 'a1', 'TASK_RUNNING', { updateId: 'u-1', now: T1 }))
      .then([statusUpdated('web.1', 'a1', 'TASK_RUNNING', 'u-1')]);
  });

  it('RUNNING sets startedAt to the event time; a later RUNNING keeps the first', () => {
    given([...launchedWeb1, recorded(statusUpdated('web.1', 'a1', 'TASK_RUNNING', 'u-1'), T1)])
      .when(reportStatus('web.1', 'a1', 'TASK_RUNNING', { updateId: 'u-2', now: T2 }))
      .thenState((state) => {
        expect(state.tasks.get('web.1')).toMatchObject({
          state: 'TASK_RUNNING',
          stagedAt: iso(T0),
          startedAt: iso(T1),
        });
      });
  });

  it('STARTING is not RUNNING: startedAt stays unset', () => {
    given(launchedWeb1)
      .when(reportStatus('web.1', 'a1', 'TASK_STARTING', { now: T1 }))
      .thenState((state) =>
        expect(state.tasks.get('web.1')).toMatchObject({ state: 'TASK_STARTING', startedAt: null }),
      );
  });

  describe('duplicates (at-least-once delivery)', () => {
    it('an update id already applied changes nothing', () => {
      given([...launchedWeb1, statusUpdated('web.1', 'a1', 'TASK_RUNNING', 'u-1')])
        .when(reportStatus('web.1', 'a1', 'TASK_RUNNING', { updateId: 'u-1', now: T1 }))
        .thenNothingHappened();
    });

    it('a duplicate of a terminal update changes nothing, although the task was expunged', () => {
      given([
        ...launchedWeb1,
        statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-end'),
        launchDelayed('/web', 1, T0 + 2_000),
      ])
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-end', now: T1 }))
        .thenNothingHappened();
    });

    it('a duplicate with another state is still a duplicate (the id decides, not the content)', () => {
      given([...launchedWeb1, statusUpdated('web.1', 'a1', 'TASK_RUNNING', 'u-1')])
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-1', now: T1 }))
        .thenNothingHappened();
    });

    it('the master own updates (no update id) are not remembered as ids', () => {
      const state = [...launchedWeb1, statusUpdated('web.1', 'a1', 'TASK_UNREACHABLE', null)]
        .map((d) => recorded(d))
        .reduce((s, e) => evolve(s, e), initialState());
      expect(state.appliedUpdateIds.size).toBe(0);
    });

    it(`remembers at most APPLIED_UPDATE_IDS_MAX (${APPLIED_UPDATE_IDS_MAX}) ids, forgetting the oldest first`, () => {
      const state = [...launchedWeb1].map((d) => recorded(d)).reduce((s, e) => evolve(s, e), initialState());
      for (let i = 0; i <= APPLIED_UPDATE_IDS_MAX; i++) {
        evolve(state, recorded(statusUpdated('web.1', 'a1', 'TASK_RUNNING', `u-${i}`)));
      }
      expect(state.appliedUpdateIds.size).toBe(APPLIED_UPDATE_IDS_MAX);
      expect(state.appliedUpdateIds.has('u-0')).toBe(false);
      expect(state.appliedUpdateIds.has('u-1')).toBe(true);
      expect(state.appliedUpdateIds.has(`u-${APPLIED_UPDATE_IDS_MAX}`)).toBe(true);
    });

    it(`from cluster version ${UPDATE_IDS_SCALE_LEVEL}, remembers ${UPDATE_IDS_PER_TASK} ids per live task when that is more`, () => {
      const state = initialState();
      state.clusterVersion = UPDATE_IDS_SCALE_LEVEL;
      // 30,000 live tasks (the bound reads only their count): 120,000 ids, more than the fixed bound.
      const stub = { appId: '/a', agentId: 'a1', resources: { cpus: 0, mem: 0, disk: 0, ports: [] } };
      for (let i = 0; i < 30_000; i++) state.tasks.set(`t${i}`, { ...stub, taskId: `t${i}` } as never);
      expect(appliedUpdateIdsBound(state)).toBe(120_000);
      for (let i = 0; i < 120_001; i++) rememberUpdateId(state, `u-${i}`);
      expect(state.appliedUpdateIds.size).toBe(120_000);
      expect(state.appliedUpdateIds.has('u-0')).toBe(false);
      expect(state.appliedUpdateIds.has('u-1')).toBe(true);
      // The tasks end: the bound falls back, and the next id trims the oldest down to it.
      state.tasks.clear();
      rememberUpdateId(state, 'u-last');
      expect(state.appliedUpdateIds.size).toBe(APPLIED_UPDATE_IDS_MAX);
      expect(state.appliedUpdateIds.has('u-last')).toBe(true);
      // Below that version, the bound stays fixed whatever the tasks (a log written before folds as it did).
      expect(appliedUpdateIdsBound({ clusterVersion: 2, tasks: new Map([['t', {} as never]]) })).toBe(
        APPLIED_UPDATE_IDS_MAX,
      );
    });
  });

  describe('refusals', () => {
    it('an update for a task the log does not know is refused as a conflict', () => {
      given(launchedWeb1)
        .when(reportStatus('web.unknown', 'a1', 'TASK_RUNNING'))
        .thenThrows('conflict', "task 'web.unknown' is not known on agent 'a1'");
    });

    it('an update from an agent the task does not run on is refused as a conflict', () => {
      given([...launchedWeb1, anAgent('a2').registered()])
        .when(reportStatus('web.1', 'a2', 'TASK_FAILED'))
        .thenThrows('conflict', "task 'web.1' is not known on agent 'a2'");
    });

    it('an update for a task already expunged (new update id) is refused as a conflict', () => {
      given([...launchedWeb1, statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-end')])
        .when(reportStatus('web.1', 'a1', 'TASK_KILLED', { updateId: 'u-later' }))
        .thenThrows('conflict');
    });
  });

  describe('terminal states', () => {
    const terminal = [...TERMINAL_STATES];
    const nonTerminal: TaskState[] = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'];

    it.each(terminal)('%s that the master did not ask for delays the next launch', (state) => {
      given(launchedWeb1)
        .when(reportStatus('web.1', 'a1', state, { updateId: 'u-end', now: T1 }))
        .then([statusUpdated('web.1', 'a1', state, 'u-end'), launchDelayed('/web', 1, T1 + 2 * SECOND_MS)]);
    });

    it.each(nonTerminal)('%s delays nothing and keeps the task', (state) => {
      given(launchedWeb1)
        .when(reportStatus('web.1', 'a1', state, { now: T1 }))
        .thenState((after, events) => {
          expect(eventCounts(events)).toEqual({ TaskStatusUpdated: 1 });
          expect(after.tasks.get('web.1')?.state).toBe(state);
        });
    });

    it('a terminal state after a kill request is expected: no backoff, no failure recorded', () => {
      given([...launchedWeb1, killRequested('web.1', 'a1', 'scaled down')])
        .when(reportStatus('web.1', 'a1', 'TASK_KILLED', { updateId: 'u-end', now: T1 }))
        .thenState((state, events) => {
          expect(withoutCauses(events)).toEqual([statusUpdated('web.1', 'a1', 'TASK_KILLED', 'u-end')]);
          expect(state.tasks.has('web.1')).toBe(false);
          expect(state.lastTaskFailure.has('/web')).toBe(false);
          expect(state.launchDelays.has('/web')).toBe(false);
        });
    });

    it('a terminal task is expunged and recorded as its app last failure, exit code in the message', () => {
      given(launchedWeb1)
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-end', now: T1, exitCode: 3 }))
        .thenState((state) => {
          expect(state.tasks.has('web.1')).toBe(false);
          expect(state.lastTaskFailure.get('/web')).toEqual({
            appId: '/web',
            taskId: 'web.1',
            host: 'a1.example',
            slaveId: 'a1',
            state: 'TASK_FAILED',
            message: 'exited with code 3',
            timestamp: iso(T1),
            version: iso(T0),
          });
        });
    });

    it("the agent's message wins over the exit code in the last failure", () => {
      given(launchedWeb1)
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { now: T1, exitCode: 137, message: 'OOM killed' }))
        .thenState((state) => expect(state.lastTaskFailure.get('/web')?.message).toBe('OOM killed'));
    });

    it('a terminal task of a deleted app delays nothing', () => {
      given([...launchedWeb1, draft('AppDeleted', { appId: '/web' })])
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-end', now: T1 }))
        .then([statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-end')]);
    });
  });

  describe("Marathon's backoff", () => {
    // delay(n) = backoffSeconds * backoffFactor^(n-1), at most maxLaunchDelaySeconds: 2, 4, 8, 10, 10 s
    it.each([
      { failuresBefore: 0, delayMs: 2_000 },
      { failuresBefore: 1, delayMs: 4_000 },
      { failuresBefore: 2, delayMs: 8_000 },
      { failuresBefore: 3, delayMs: 10_000 },
      { failuresBefore: 7, delayMs: 10_000 },
    ])('after $failuresBefore failures, the next one waits $delayMs ms', ({ failuresBefore, delayMs }) => {
      const before = failuresBefore > 0 ? [recorded(launchDelayed('/web', failuresBefore, T0 + 1), T0)] : [];
      given([...launchedWeb1, ...before])
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-end', now: T1 }))
        .then([
          statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-end'),
          launchDelayed('/web', failuresBefore + 1, T1 + delayMs),
        ]);
    });

    it('failures accumulate across replacements (each failure of the app counts)', () => {
      const web2 = aTask('/web', 'web.2').onAgent('a1');
      given([
        ...launchedWeb1,
        recorded(statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-1'), T0),
        recorded(launchDelayed('/web', 1, T0 + 2_000), T0),
        recorded(web2.launched(), T0 + 3_000),
      ])
        .when(reportStatus('web.2', 'a1', 'TASK_FINISHED', { updateId: 'u-2', now: T1, exitCode: 0 }))
        .then([
          statusUpdated('web.2', 'a1', 'TASK_FINISHED', 'u-2', { exitCode: 0 }),
          launchDelayed('/web', 2, T1 + 4_000),
        ]);
    });

    it('a new config starts without backoff (AppUpdated drops the delay)', () => {
      given([
        ...launchedWeb1,
        launchDelayed('/web', 3, T0 + 8_000),
        draft('AppUpdated', { app: definitionOf('/web', { ...WEB_FIELDS, cmd: 'sleep 2000' }, T0 + 1) }),
      ])
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-end', now: T1 }))
        .then([statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-end'), launchDelayed('/web', 1, T1 + 2_000)]);
    });

    it('a failure long after the last one (more than maxLaunchDelaySeconds) starts the backoff over', () => {
      // Marathon's RateLimiter.cleanUpOverdueDelays drops a delay once it is overdue, so an app
      // that fails once a day waits backoffSeconds each time, not maxLaunchDelaySeconds forever.
      const dayLater = T0 + 24 * 3_600_000;
      given([...launchedWeb1, recorded(launchDelayed('/web', 6, T0 + 10_000), T0)])
        .when(reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u-end', now: dayLater }))
        .then([statusUpdated('web.1', 'a1', 'TASK_FAILED', 'u-end'), launchDelayed('/web', 1, dayLater + 2_000)]);
    });
  });
});
