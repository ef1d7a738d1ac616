import { draft, EventDraft } from '../command';
import { decide } from '../decider';
import {
  aTask,
  appCreated,
  createApp,
  definitionOf,
  deleteApp,
  scaleApp,
  updateApp,
} from '../testing/cluster-builders';
import { eventCounts, eventsOf, given, iso, meta, stateAfter, T0 } from '../testing/decider-spec';
import { initialState } from '../state';
import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, reportStatus, tick } from '../testing/cluster-builders';
import type { AppChange } from './plan';
import { planSteps } from './plan';
import type { CancelDeployment, RestartApp } from './deployment.commands';

const T1 = T0 + 60_000;
const T2 = T1 + 60_000;

const restart = (appId: string, force = false, now = T1): RestartApp => ({
  kind: 'RestartApp',
  appId,
  force,
  meta: meta(now),
});
const cancel = (deploymentId: string, rollback: boolean, now = T2): CancelDeployment => ({
  kind: 'CancelDeployment',
  deploymentId,
  rollback,
  meta: meta(now),
});
const notForced = <C extends { force: boolean }>(command: C): C => ({ ...command, force: false });

/** The DeploymentStarted a command at `now` writes for one app (its id is the command's). */
function started(now: number, steps: { action: string; app: string }[][], original: unknown, target: unknown) {
  const app = steps[0][0].app;
  return draft('DeploymentStarted', {
    deploymentId: `cmd-${now}`,
    version: iso(now),
    affectedApps: [app],
    steps: steps.map((actions) => ({ actions })) as never,
    original: { [app]: original } as never,
    target: { [app]: target } as never,
    request: null,
  });
}

/** A deployment of /web in progress: created at T0 with 2 instances, never run. */
const webDeploying = (): EventDraft[] => decide(createApp('/web', { instances: 2 }), initialState());

describe('DeploymentStarted: every change of an app is a plan of steps', () => {
  it('a new app: StartApplication (finished at once: a no-op kept for clients), then ScaleApplication', () => {
    // decide gives the new app's port 0 the first service port.
    const web = definitionOf('/web', { portDefinitions: [{ port: 10000, name: 'default' }] });
    given([])
      .when(createApp('/web'))
      .then([
        draft('AppCreated', { app: web }),
        started(
          T0,
          [[{ action: 'StartApplication', app: '/web' }], [{ action: 'ScaleApplication', app: '/web' }]],
          null,
          web,
        ),
        draft('DeploymentStepFinished', { deploymentId: `cmd-${T0}`, step: 1 }),
      ]);
  });

  it('a change of instances alone is a ScaleApplication; any other field a RestartApplication', () => {
    given([appCreated('/web')])
      .when(scaleApp('/web', 3, T1))
      .thenState((_s, events) =>
        expect(eventsOf(events, 'DeploymentStarted')[0].steps).toEqual([
          { actions: [{ action: 'ScaleApplication', app: '/web' }] },
        ]),
      );
    given([appCreated('/web')])
      .when(updateApp('/web', { labels: { a: 'b' } }, T1))
      .thenState((_s, events) =>
        expect(eventsOf(events, 'DeploymentStarted')[0].steps).toEqual([
          { actions: [{ action: 'RestartApplication', app: '/web' }] },
        ]),
      );
  });

  it('a delete is a StopApplication; a restart a RestartApplication with a new config version', () => {
    given([appCreated('/web')])
      .when(deleteApp('/web', T1))
      .thenState((_s, events) =>
        expect(eventsOf(events, 'DeploymentStarted')[0]).toMatchObject({
          steps: [{ actions: [{ action: 'StopApplication', app: '/web' }] }],
          target: { '/web': null },
        }),
      );
    given([appCreated('/web')])
      .when(restart('/web'))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({ AppRestartRequested: 1, DeploymentStarted: 1 });
        expect(state.apps.get('/web')!.versionInfo.lastConfigChangeAt).toBe(iso(T1));
      });
  });

  it('records the request that caused it (who, from where, which call)', () => {
    const origin = { remoteAddress: '10.0.0.7', method: 'PUT', path: '/v2/apps/web', requestId: 'req-1' };
    given([appCreated('/web')])
      .when({ ...scaleApp('/web', 2, T1), meta: { ...meta(T1), actor: 'ops', origin } })
      .thenState((_s, events) =>
        expect(eventsOf(events, 'DeploymentStarted')[0].request).toEqual({ actor: 'ops', ...origin }),
      );
  });

  it('a change that changes nothing starts no deployment', () => {
    given([appCreated('/web')])
      .when(updateApp('/web', { cmd: 'sleep 1000' }, T1))
      .thenNothingHappened();
  });
});

describe('advancing deployments on a tick', () => {
  it('writes what the deployments do in version-then-id order, whatever the order they are held in', () => {
    // The later deployment is started (and held) first; both are done at once (0 instances wanted).
    const late = { action: 'ScaleApplication', app: '/late' };
    const early = { action: 'ScaleApplication', app: '/early' };
    given([
      appCreated('/late', { instances: 0 }),
      appCreated('/early', { instances: 0 }),
      started(T1, [[late]], definitionOf('/late', { instances: 0 }), definitionOf('/late', { instances: 0 })),
      started(T0, [[early]], definitionOf('/early', { instances: 0 }), definitionOf('/early', { instances: 0 })),
    ])
      .when(tick(T2))
      .thenState((_state, events) => {
        expect(eventsOf(events, 'DeploymentStepFinished').map((e) => e.deploymentId)).toEqual([
          `cmd-${T0}`,
          `cmd-${T1}`,
        ]);
      });
  });
});

describe('locks: an app under a deployment', () => {
  it('refuses another change with 409 naming the deployment, unless forced', () => {
    given(webDeploying())
      .when(notForced(scaleApp('/web', 3, T1)))
      .thenThrows('conflict', /locked by one or more/);
    given(webDeploying())
      .when(scaleApp('/web', 3, T1))
      .thenState((state, events) => {
        expect(eventsOf(events, 'DeploymentCancelled')).toEqual([
          { deploymentId: `cmd-${T0}`, reason: 'superseded by a forced change', by: `cmd-${T1}` },
        ]);
        expect([...state.deployments.keys()]).toEqual([`cmd-${T1}`]);
      });
  });

  it('lists the locking deployments in the 409 body', () => {
    try {
      decide(notForced(restart('/web')), stateAfter(webDeploying()));
      throw new Error('not refused');
    } catch (error) {
      expect((error as { extra?: unknown }).extra).toEqual({ deployments: [{ id: `cmd-${T0}` }] });
    }
  });

  it('DELETE is forced by default at the edge, and a forced delete cancels the deployment', () => {
    given(webDeploying())
      .when(deleteApp('/web', T1))
      .thenState((state, events) => {
        // No task ran yet: the StopApplication plan has nothing to wait for and ends at once.
        expect(events.map((e) => e.type)).toEqual([
          'DeploymentCancelled',
          'AppDeleted',
          'DeploymentStarted',
          'DeploymentStepFinished',
          'DeploymentFinished',
        ]);
        expect(state.deployments.size).toBe(0);
      });
  });
});

describe('DELETE /v2/deployments/{id}', () => {
  it('force: stops it where it is, nothing reverted', () => {
    given(webDeploying())
      .when(cancel(`cmd-${T0}`, false))
      .then([
        draft('DeploymentCancelled', { deploymentId: `cmd-${T0}`, reason: 'stopped on request (force)', by: null }),
      ]);
  });

  it('rollback of a new app deletes it, in a new forced deployment', () => {
    given(webDeploying())
      .when(cancel(`cmd-${T0}`, true))
      .thenState((state, events) => {
        expect(eventCounts(events)).toEqual({
          DeploymentCancelled: 1,
          AppDeleted: 1,
          DeploymentStarted: 1,
          DeploymentStepFinished: 1,
          DeploymentFinished: 1,
        });
        expect(eventsOf(events, 'DeploymentCancelled')[0]).toMatchObject({ reason: 'rolled back', by: `cmd-${T2}` });
        expect(state.apps.has('/web')).toBe(false);
      });
  });

  it('rollback of a config change restores the original cmd as a new version', () => {
    const s = stateAfter([appCreated('/web')]);
    const change = decide(updateApp('/web', { cmd: 'sleep 2000' }, T1), s);
    given([appCreated('/web'), ...change])
      .when(cancel(`cmd-${T1}`, true))
      .thenState((state) => {
        expect(state.apps.get('/web')).toMatchObject({ cmd: 'sleep 1000', version: iso(T2) });
        expect([...state.deployments.values()][0].steps[0].actions[0].action).toBe('RestartApplication');
      });
  });

  it('an unknown deployment is 404', () => {
    given([]).when(cancel('nope', true)).thenThrows('not-found', 'DeploymentPlan nope does not exist');
  });
});

describe('planSteps: dependencies order the steps (Marathon dependencyOrderedSteps)', () => {
  it('puts each app after the apps it depends on, by longest path', () => {
    const app = (id: string, dependencies: string[] = []) => definitionOf(id, { dependencies });
    const changes = new Map<string, AppChange>([
      ['/db', { original: null, target: app('/db') }],
      ['/api', { original: null, target: app('/api', ['/db']) }],
      ['/web', { original: null, target: app('/web', ['/api', '/db']) }],
      ['/old', { original: app('/old'), target: null }],
    ]);
    expect(planSteps(changes).map((s) => s.actions.map((a) => `${a.action} ${a.app}`))).toEqual([
      ['StopApplication /old'],
      ['StartApplication /api', 'StartApplication /db', 'StartApplication /web'],
      ['ScaleApplication /db'],
      ['ScaleApplication /api'],
      ['ScaleApplication /web'],
    ]);
  });
});

describe('health: transitions from the agent', () => {
  const check = {
    protocol: 'HTTP',
    path: '/',
    portIndex: 0,
    gracePeriodSeconds: 5,
    intervalSeconds: 1,
    timeoutSeconds: 1,
    maxConsecutiveFailures: 3,
  };
  const report = (taskId: string, alive: boolean, consecutiveFailures: number, updateId: string) => ({
    ...reportStatus(taskId, 'a1', 'TASK_RUNNING', { updateId, now: T1 }),
    health: {
      checkIndex: 0,
      alive,
      consecutiveFailures,
      firstSuccess: null,
      lastSuccess: null,
      lastFailure: alive ? null : iso(T1),
      lastFailureCause: alive ? null : 'HTTP 500',
    },
  });
  function withChecks() {
    const s = new ClusterScenario();
    s.run(anAgent('a1').register());
    s.run(createApp('/web', { instances: 1, cpus: 0.1, mem: 16, healthChecks: [check] }));
    s.tick(T0 + 1_000);
    s.reportAll(T0 + 2_000);
    return s;
  }

  it('a transition is an event; the task is healthy only once every check is alive', () => {
    const s = withChecks();
    const [task] = s.tasksOf('/web');
    expect(task.healthChecks).toHaveLength(1);
    expect(task.health).toEqual([null]);
    expect(eventCounts(s.run(report(task.taskId, true, 0, 'h1')))).toEqual({ TaskHealthChanged: 1 });
    expect(s.tasksOf('/web')[0].health[0]).toMatchObject({ alive: true });
    expect(s.run(report(task.taskId, true, 0, 'h1'))).toEqual([]); // a duplicate changes nothing
    // A restarted agent repeats its first verdict with a new update id: no change either.
    expect(s.run(report(task.taskId, true, 0, 'h1-after-agent-restart'))).toEqual([]);
  });

  it('reaching maxConsecutiveFailures kills the task and counts toward the backoff', () => {
    const s = withChecks();
    const [task] = s.tasksOf('/web');
    expect(eventCounts(s.run(report(task.taskId, false, 1, 'f1')))).toEqual({ TaskHealthChanged: 1 });
    const failed = s.run(report(task.taskId, false, 3, 'f3'));
    expect(eventCounts(failed)).toEqual({ TaskHealthChanged: 1, TaskKillRequested: 1, LaunchDelayed: 1 });
    expect(eventsOf(failed, 'TaskKillRequested')[0].reason).toMatch(
      /health check 0 \(HTTP\) failed 3 times in a row: HTTP 500/,
    );
  });

  it('a report for a check the task does not run is refused', () => {
    const s = withChecks();
    const [task] = s.tasksOf('/web');
    expect(() =>
      s.run({
        ...report(task.taskId, true, 0, 'x'),
        health: { ...report(task.taskId, true, 0, 'x').health, checkIndex: 4 },
      }),
    ).toThrow(/has no health check 4/);
  });
});

// The task builder is used by other specs; keep this one honest about what it builds.
it('tasks built for specs carry no checks', () => {
  expect(aTask('/web', 'web.1').build()).toMatchObject({ healthChecks: [], readinessChecks: [] });
});
