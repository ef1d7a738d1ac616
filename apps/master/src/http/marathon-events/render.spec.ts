import { evolve, initialState } from '@cairn/domain';
import { aTask, anAgent, definitionOf } from '@cairn/domain/testing/cluster-builders';
import type { CairnEvent, DeploymentStartedData, EventData, EventType, RecordedEvent } from '@cairn/events';
import { MARATHON_EVENT_TYPES, type MarathonEvent } from './marathon-event';
import { renderMarathonEvents, type RenderOptions } from './render';
import { RenderLookup } from './render-lookup';
import { CLIENT_EVENT_TYPES } from '../../../../../test/harness/marathon-shapes';

const AT = '2026-03-01T10:00:00.000Z';
const FULL: RenderOptions = { planFormat: 'full' };
let offset = 0;

function rec<T extends EventType>(type: T, data: EventData<T>): RecordedEvent<CairnEvent> {
  return {
    id: `00000000-0000-4000-8000-${String(offset).padStart(12, '0')}`,
    type,
    v: 1,
    at: AT,
    actor: 'test',
    correlationId: 'c',
    causationId: null,
    data,
    offset: offset++,
  } as unknown as RecordedEvent<CairnEvent>;
}

/** Renders each event and moves the lookup on, as a stream does. */
function play(lookup: RenderLookup, events: RecordedEvent<CairnEvent>[], options = FULL): MarathonEvent[][] {
  return events.map((event) => {
    const out = renderMarathonEvents(event, lookup, options);
    lookup.observe(event);
    return out;
  });
}

/** An AgentRegistered's data (the builder's info is read-only; the event's arrays are not). */
function agentData(agentId: string): EventData<'AgentRegistered'> {
  return structuredClone({ ...anAgent(agentId).build(), agentId }) as EventData<'AgentRegistered'>;
}

const types = (events: MarathonEvent[]) => events.map((e) => e.eventType);
const APP = '/web/api';
const CHECK = {
  protocol: 'HTTP' as const,
  path: '/alive',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 30,
  intervalSeconds: 1,
  timeoutSeconds: 2,
  maxConsecutiveFailures: 3,
  delaySeconds: 0,
  ignoreHttp1xx: false,
};
const task = aTask(APP, 'web_api.t1').withResources('cpus:1;mem:128;ports:[31000-31000]').build();
const launchedWithCheck = { ...task, healthChecks: [CHECK] };

function started(fields: Partial<DeploymentStartedData> = {}): DeploymentStartedData {
  const target = definitionOf(APP, { instances: 2 });
  return {
    deploymentId: 'd1',
    version: AT,
    affectedApps: [APP],
    steps: [
      { actions: [{ action: 'StartApplication', app: APP }] },
      { actions: [{ action: 'ScaleApplication', app: APP }] },
    ],
    original: { [APP]: null },
    target: { [APP]: target },
    request: { actor: 'anonymous', remoteAddress: '10.0.0.9', method: 'POST', path: '/v2/apps', requestId: 'r1' },
    ...fields,
  };
}

/** What marathon-python 0.13.0's MarathonDeploymentPlan and its group states take (others: TypeError). */
const PLAN_KEYS = ['id', 'version', 'steps', 'original', 'target'];
const GROUP_KEYS = new Set(['dependencies', 'apps', 'id', 'version', 'groups', 'pods']);
function expectClientPlan(plan: unknown): void {
  const p = plan as Record<string, Record<string, unknown>>;
  expect(Object.keys(p).sort()).toEqual([...PLAN_KEYS].sort());
  for (const group of [p.original, p.target]) {
    expect(group).toEqual(expect.any(Object));
    for (const key of Object.keys(group)) expect(GROUP_KEYS.has(key)).toBe(true);
  }
  for (const step of p.steps as unknown as Record<string, unknown>[]) expect(Object.keys(step)).toEqual(['actions']);
}

describe('renderMarathonEvents: deployments', () => {
  it('renders a started plan as deployment_info, group_change_success and one api_post_event per target app', () => {
    const [out] = play(new RenderLookup(), [rec('DeploymentStarted', started())]);
    expect(types(out)).toEqual(['deployment_info', 'group_change_success', 'api_post_event']);
    expect(out[0]).toMatchObject({
      timestamp: AT,
      currentStep: { actions: [{ action: 'StartApplication', app: APP }] },
    });
    expectClientPlan(out[0].plan);
    expect(out[0].plan).toMatchObject({
      id: 'd1',
      version: AT,
      original: { apps: [] },
      target: { id: '/', groups: [] },
    });
    expect((out[0].plan as { target: { apps: { id: string }[] } }).target.apps.map((a) => a.id)).toEqual([APP]);
    expect(out[1]).toEqual({ eventType: 'group_change_success', timestamp: AT, groupId: '/web', version: AT });
    expect(out[2]).toMatchObject({ clientIp: '10.0.0.9', uri: '/v2/apps', appDefinition: { id: APP, instances: 2 } });
  });

  it('renders no api_post_event for a change that no POST/PUT/PATCH request made, nor for an app going away', () => {
    const [system] = play(new RenderLookup(), [rec('DeploymentStarted', started({ request: null }))]);
    expect(types(system)).toEqual(['deployment_info', 'group_change_success']);
    const del = started({
      deploymentId: 'd2',
      original: { [APP]: definitionOf(APP) },
      target: { [APP]: null },
      request: { actor: 'a', remoteAddress: null, method: 'DELETE', path: `/v2/apps${APP}`, requestId: 'r' },
    });
    expect(types(play(new RenderLookup(), [rec('DeploymentStarted', del)])[0])).toEqual([
      'deployment_info',
      'group_change_success',
    ]);
  });

  it('plan-format=light keeps the group objects the client requires, without apps', () => {
    const [out] = play(new RenderLookup(), [rec('DeploymentStarted', started())], { planFormat: 'light' });
    expectClientPlan(out[0].plan);
    expect(out[0].plan).toMatchObject({ original: { apps: [] }, target: { apps: [] } });
  });

  it('renders steps, success and cancellation with the plan it learned at the start', () => {
    const lookup = new RenderLookup();
    const [, step1, step2, done] = play(lookup, [
      rec('DeploymentStarted', started()),
      rec('DeploymentStepFinished', { deploymentId: 'd1', step: 1 }),
      rec('DeploymentStepFinished', { deploymentId: 'd1', step: 2 }),
      rec('DeploymentFinished', { deploymentId: 'd1' }),
    ]);
    expect(types(step1)).toEqual(['deployment_step_success', 'deployment_info']);
    expect(step1[1].currentStep).toEqual({ actions: [{ action: 'ScaleApplication', app: APP }] });
    expect(types(step2)).toEqual(['deployment_step_success']);
    expect(done).toEqual([expect.objectContaining({ eventType: 'deployment_success', id: 'd1' })]);
    expectClientPlan(done[0].plan);
    expect(lookup.deployments.size).toBe(0);

    const [, cancelled] = play(lookup, [
      rec('DeploymentStarted', started({ deploymentId: 'd3' })),
      rec('DeploymentCancelled', { deploymentId: 'd3', reason: 'superseded by a forced change', by: 'd4' }),
    ]);
    expect(types(cancelled)).toEqual(['deployment_step_failure', 'deployment_failed']);
    expect(cancelled[1]).toMatchObject({ id: 'd3', reason: 'superseded by a forced change' });
  });

  it('still renders a parseable plan for a deployment whose start it never saw', () => {
    const [out] = play(new RenderLookup(), [rec('DeploymentFinished', { deploymentId: 'old' })]);
    expect(out[0]).toMatchObject({ eventType: 'deployment_success', id: 'old' });
    expectClientPlan(out[0].plan);
  });

  it('renders AppDeleted as app_terminated_event and the app events a deployment covers as nothing', () => {
    const [deleted, created] = play(new RenderLookup(), [
      rec('AppDeleted', { appId: APP }),
      rec('AppCreated', { app: definitionOf(APP) }),
    ]);
    expect(deleted).toEqual([{ eventType: 'app_terminated_event', timestamp: AT, appId: APP }]);
    expect(created).toEqual([]);
  });
});

describe('renderMarathonEvents: tasks and health', () => {
  it('fills a status update from the launch it saw: app, host, ports, version', () => {
    const lookup = new RenderLookup();
    const [launched, running, killed] = play(lookup, [
      rec('TaskLaunched', task),
      rec('TaskStatusUpdated', statusData('TASK_RUNNING')),
      rec('TaskStatusUpdated', statusData('TASK_KILLED')),
    ]);
    expect(launched).toEqual([
      expect.objectContaining({ eventType: 'instance_changed_event', condition: 'Provisioned' }),
    ]);
    expect(running[0]).toEqual({
      eventType: 'status_update_event',
      timestamp: AT,
      slaveId: 'agent-1',
      taskId: task.taskId,
      taskStatus: 'TASK_RUNNING',
      message: '',
      appId: APP,
      host: 'agent-1.example',
      ipAddresses: [],
      ports: [31000],
      version: task.appVersion,
    });
    expect(running[1]).toMatchObject({
      eventType: 'instance_changed_event',
      instanceId: task.taskId,
      condition: 'Running',
      runSpecId: APP,
      slaveId: 'agent-1',
      runSpecVersion: task.appVersion,
    });
    expect(killed[1]).toMatchObject({ condition: 'Killed' });
    // An ended task is forgotten: the lookup stays as small as the cluster.
    expect(lookup.tasks.size).toBe(0);
  });

  it('renders a task kept unreachable as the Unreachable and UnreachableInactive conditions', () => {
    const lookup = new RenderLookup();
    const timers = { message: 'agent gone', inactiveAfterSeconds: 5, expungeAfterSeconds: 30 };
    const [, unreachable, inactive] = play(lookup, [
      rec('TaskLaunched', task),
      rec('TaskUnreachable', { taskId: task.taskId, agentId: task.agentId, ...timers }),
      rec('TaskUnreachableInactive', { taskId: task.taskId, agentId: task.agentId }),
    ]);
    expect(unreachable).toEqual([
      expect.objectContaining({ eventType: 'instance_changed_event', condition: 'Unreachable', runSpecId: APP }),
    ]);
    expect(inactive).toEqual([expect.objectContaining({ condition: 'UnreachableInactive', host: task.host })]);
  });

  it('renders a task it has no launch for from its id and its agent', () => {
    const lookup = new RenderLookup();
    const [, [status]] = play(lookup, [
      rec('AgentRegistered', agentData('agent-7')),
      rec('TaskStatusUpdated', { ...statusData('TASK_KILLED'), taskId: 'web_api.a1b2', agentId: 'agent-7' }),
    ]);
    expect(status).toMatchObject({ appId: '/web/api', host: 'agent-7.example', ports: [], version: '' });
  });

  it('renders health flips once each, the first failure once, and the instance health on change', () => {
    const lookup = new RenderLookup();
    const health = (alive: boolean, consecutiveFailures: number) =>
      rec('TaskHealthChanged', {
        taskId: task.taskId,
        appId: APP,
        checkIndex: 0,
        alive,
        consecutiveFailures,
        firstSuccess: AT,
        lastSuccess: AT,
        lastFailure: null,
        lastFailureCause: null,
        updateId: null,
      });
    const [, healthy, failing, exhausted, kill, scaledDown] = play(lookup, [
      rec('TaskLaunched', launchedWithCheck),
      health(true, 0),
      health(false, 1),
      health(false, 3),
      rec('TaskKillRequested', {
        taskId: task.taskId,
        agentId: 'agent-1',
        reason: 'health check 0 (HTTP) failed 3 times in a row: 503',
      }),
      rec('TaskKillRequested', { taskId: task.taskId, agentId: 'agent-1', reason: 'scaled down' }),
    ]);
    expect(types(healthy)).toEqual(['health_status_changed_event', 'instance_health_changed_event']);
    expect(healthy[0]).toMatchObject({ appId: APP, instanceId: task.taskId, alive: true, version: task.appVersion });
    expect(healthy[1]).toMatchObject({ instanceId: task.taskId, runSpecId: APP, healthy: true });
    expect(types(failing)).toEqual([
      'failed_health_check_event',
      'health_status_changed_event',
      'instance_health_changed_event',
    ]);
    expect(failing[0]).toMatchObject({ taskId: task.taskId, healthCheck: { protocol: 'HTTP', path: '/alive' } });
    expect(failing[0].healthCheck).not.toHaveProperty('command');
    expect(failing[2]).toMatchObject({ healthy: false });
    expect(exhausted).toEqual([]);
    expect(kill).toEqual([
      expect.objectContaining({
        eventType: 'unhealthy_instance_kill_event',
        appId: APP,
        taskId: task.taskId,
        instanceId: task.taskId,
        host: 'agent-1.example',
        slaveId: 'agent-1',
      }),
    ]);
    expect(scaledDown).toEqual([]);
  });

  function statusData(state: 'TASK_RUNNING' | 'TASK_KILLED') {
    return {
      taskId: task.taskId,
      agentId: 'agent-1',
      state,
      updateId: null,
      reason: null,
      message: null,
      exitCode: null,
    };
  }
});

describe('RenderLookup', () => {
  it('seeded from the projection equals one built by observing the same log', () => {
    const events = [
      rec('AgentRegistered', agentData('agent-1')),
      rec('AppCreated', { app: definitionOf(APP, { instances: 2 }) }),
      rec('DeploymentStarted', started()),
      rec('DeploymentStepFinished', { deploymentId: 'd1', step: 1 }),
      rec('TaskLaunched', launchedWithCheck),
      rec('TaskHealthChanged', {
        taskId: task.taskId,
        appId: APP,
        checkIndex: 0,
        alive: true,
        consecutiveFailures: 0,
        firstSuccess: AT,
        lastSuccess: AT,
        lastFailure: null,
        lastFailureCause: null,
        updateId: null,
      }),
    ];
    const state = initialState();
    const observed = new RenderLookup();
    for (const event of events) {
      evolve(state, event);
      observed.observe(event);
    }
    const seeded = RenderLookup.fromState(state);
    expect(seeded.hosts).toEqual(observed.hosts);
    expect(seeded.tasks).toEqual(observed.tasks);
    expect([...seeded.deployments.keys()]).toEqual(['d1']);
    expect(seeded.deployments.get('d1')!.currentStep).toBe(1);
    expect(seeded.deployments.get('d1')!.plan).toMatchObject(observed.deployments.get('d1')!.plan);
  });
});

it('renders only event types marathon-python 0.13.0 knows', () => {
  for (const type of MARATHON_EVENT_TYPES) expect(CLIENT_EVENT_TYPES.has(type)).toBe(true);
});
