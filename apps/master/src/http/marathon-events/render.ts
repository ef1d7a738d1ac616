import type {
  CairnEvent,
  DeploymentCancelled,
  DeploymentStarted,
  DeploymentStepFinished,
  RecordedEvent,
  TaskHealthChanged,
  TaskKillRequested,
  TaskLaunched,
  TaskState,
  TaskStatusUpdated,
} from '@cairn/events';
import { deploymentPlan, type PlanFormat, unknownPlan } from './deployment-plan.view';
import type { MarathonEvent } from './marathon-event';
import type { HealthCheckSpec, RenderLookup, TaskEntry } from './render-lookup';

export interface RenderOptions {
  readonly planFormat: PlanFormat;
}

type Fields = Record<string, unknown>;

/**
 * The Marathon events one log event stands for, in the order Marathon publishes them. Pure: it
 * reads the lookup (the log before this event) and changes nothing; the caller moves the lookup
 * on with `lookup.observe(event)` afterwards. Events with no Marathon counterpart render to [].
 */
export function renderMarathonEvents(
  event: RecordedEvent<CairnEvent>,
  lookup: RenderLookup,
  options: RenderOptions,
): MarathonEvent[] {
  const at = event.at;
  switch (event.type) {
    case 'TaskLaunched':
      return [instanceChanged(at, launchedEntry(event), 'Provisioned')];
    case 'TaskStatusUpdated':
      return statusUpdate(event, lookup);
    case 'TaskHealthChanged':
      return healthChanged(event, lookup);
    case 'TaskKillRequested':
      return unhealthyKill(event, lookup);
    case 'DeploymentStarted':
      return deploymentStarted(event, options);
    case 'DeploymentStepFinished':
      return stepFinished(event, lookup, options);
    case 'DeploymentFinished': {
      const entry = lookup.deployments.get(event.data.deploymentId);
      const plan = entry ? deploymentPlan(entry.plan, options.planFormat) : unknownPlan(event.data.deploymentId);
      return [marathon('deployment_success', at, { id: event.data.deploymentId, plan })];
    }
    case 'DeploymentCancelled':
      return deploymentCancelled(event, lookup, options);
    case 'AppDeleted':
      return [marathon('app_terminated_event', at, { appId: event.data.appId })];
    case 'TaskUnreachable':
    case 'TaskUnreachableInactive': {
      // Marathon's instance conditions for an unreachableStrategy that keeps the task.
      const task = lookup.tasks.get(event.data.taskId) ?? unknownTask(event.data.taskId, event.data.agentId, lookup);
      const condition = event.type === 'TaskUnreachable' ? 'Unreachable' : 'UnreachableInactive';
      return [instanceChanged(at, task, condition)];
    }
    default:
      return [];
  }
}

function marathon(eventType: MarathonEvent['eventType'], timestamp: string, fields: Fields): MarathonEvent {
  return { eventType, timestamp, ...fields };
}

function launchedEntry(event: RecordedEvent<TaskLaunched>): TaskEntry {
  const d = event.data;
  return { ...d, health: d.healthChecks.map(() => null) };
}

/** Mesos state -> Marathon's instance Condition. Cairn's LOST is terminal, as Marathon's Gone. */
const CONDITIONS: Record<TaskState, string> = {
  TASK_STAGING: 'Staging',
  TASK_STARTING: 'Starting',
  TASK_RUNNING: 'Running',
  TASK_KILLING: 'Killing',
  TASK_FINISHED: 'Finished',
  TASK_FAILED: 'Failed',
  TASK_KILLED: 'Killed',
  TASK_ERROR: 'Error',
  TASK_LOST: 'Gone',
  TASK_DROPPED: 'Dropped',
  TASK_UNREACHABLE: 'Unreachable',
  TASK_GONE: 'Gone',
  TASK_UNKNOWN: 'Unknown',
};

/**
 * A task the stream has no launch for (it started before a resumed stream's warm-up window and
 * has ended since): what the id and the agent tell. Task ids are `<app id, '/' as '_'>.<uuid>`.
 */
function unknownTask(taskId: string, agentId: string, lookup: RenderLookup): TaskEntry {
  const dot = taskId.lastIndexOf('.');
  const appId = dot > 0 ? '/' + taskId.slice(0, dot).replace(/_/g, '/') : '/';
  return {
    taskId,
    appId,
    appVersion: '',
    agentId,
    host: lookup.hosts.get(agentId) ?? '',
    ports: [],
    healthChecks: [],
    health: [],
  };
}

function instanceChanged(at: string, task: TaskEntry, condition: string): MarathonEvent {
  return marathon('instance_changed_event', at, {
    instanceId: task.taskId,
    condition,
    runSpecId: task.appId,
    // Marathon names it agentId; marathon-python reads slaveId.
    agentId: task.agentId,
    slaveId: task.agentId,
    host: task.host,
    runSpecVersion: task.appVersion,
  });
}

function statusUpdate(event: RecordedEvent<TaskStatusUpdated>, lookup: RenderLookup): MarathonEvent[] {
  const d = event.data;
  const task = lookup.tasks.get(d.taskId) ?? unknownTask(d.taskId, d.agentId, lookup);
  return [
    marathon('status_update_event', event.at, {
      slaveId: d.agentId,
      taskId: d.taskId,
      taskStatus: d.state,
      message: d.message ?? '',
      appId: task.appId,
      host: task.host,
      ipAddresses: [],
      ports: task.ports,
      version: task.appVersion,
    }),
    instanceChanged(event.at, task, CONDITIONS[d.state]),
  ];
}

/** An instance is healthy when every check says alive, unhealthy when one says not, unknown before. */
function instanceHealth(health: readonly (boolean | null)[]): boolean | null {
  if (health.some((h) => h === false)) return false;
  if (health.length > 0 && health.every((h) => h === true)) return true;
  return null;
}

/** Marathon's health check JSON (`command` is an object there; nulls left out). */
function healthCheckJson(spec: HealthCheckSpec | undefined): Fields | undefined {
  if (!spec) return undefined;
  const { command, ...rest } = spec;
  const fields: Fields = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null));
  if (command !== null) fields.command = { value: command };
  return fields;
}

/**
 * A verdict flip renders Marathon's health_status_changed_event; the first flip to failing also a
 * failed_health_check_event; a change of the instance's overall health an
 * instance_health_changed_event. The agent's second report (maxConsecutiveFailures reached, still
 * not alive) flips nothing: the kill it causes is its event.
 */
function healthChanged(event: RecordedEvent<TaskHealthChanged>, lookup: RenderLookup): MarathonEvent[] {
  const d = event.data;
  const task = lookup.tasks.get(d.taskId);
  const before = task?.health ?? [];
  const previous = before[d.checkIndex] ?? null;
  if (previous === d.alive) return [];
  const after = [...before];
  after[d.checkIndex] = d.alive;
  const version = task?.appVersion ?? '';
  const healthCheck = healthCheckJson(task?.healthChecks[d.checkIndex]);
  const out: MarathonEvent[] = [];
  if (!d.alive) {
    out.push(
      marathon('failed_health_check_event', event.at, {
        appId: d.appId,
        // Marathon puts the instance id here.
        taskId: d.taskId,
        instanceId: d.taskId,
        ...(healthCheck ? { healthCheck } : {}),
      }),
    );
  }
  out.push(
    marathon('health_status_changed_event', event.at, {
      appId: d.appId,
      taskId: d.taskId,
      instanceId: d.taskId,
      version,
      alive: d.alive,
      ...(healthCheck ? { healthCheck } : {}),
    }),
  );
  const healthyBefore = instanceHealth(before);
  const healthyAfter = instanceHealth(after);
  if (healthyAfter !== healthyBefore) {
    out.push(
      marathon('instance_health_changed_event', event.at, {
        instanceId: d.taskId,
        runSpecId: d.appId,
        runSpecVersion: version,
        healthy: healthyAfter,
      }),
    );
  }
  return out;
}

/** The health check decider's kill reason (libs/domain check-report.decider.ts). */
const UNHEALTHY_KILL = /^health check \d+ /;

function unhealthyKill(event: RecordedEvent<TaskKillRequested>, lookup: RenderLookup): MarathonEvent[] {
  const d = event.data;
  if (!UNHEALTHY_KILL.test(d.reason)) return [];
  const task = lookup.tasks.get(d.taskId) ?? unknownTask(d.taskId, d.agentId, lookup);
  return [
    marathon('unhealthy_instance_kill_event', event.at, {
      appId: task.appId,
      taskId: d.taskId,
      instanceId: d.taskId,
      version: task.appVersion,
      reason: d.reason,
      host: task.host,
      slaveId: d.agentId,
    }),
  ];
}

/** The group a change is about: the affected apps' common parent (Marathon names the group it updated). */
function changedGroup(appIds: readonly string[]): string {
  const parents = new Set(appIds.map((id) => id.slice(0, id.lastIndexOf('/')) || '/'));
  return parents.size === 1 ? [...parents][0] : '/';
}

const API_WRITES = new Set(['POST', 'PUT', 'PATCH']);

/** Plan started: its first step's deployment_info, then group_change_success, then api_post_event per app. */
function deploymentStarted(event: RecordedEvent<DeploymentStarted>, options: RenderOptions): MarathonEvent[] {
  const d = event.data;
  const plan = deploymentPlan(d, options.planFormat);
  const out: MarathonEvent[] = [];
  if (d.steps.length > 0) {
    out.push(marathon('deployment_info', event.at, { plan, currentStep: stepJson(plan, 0) }));
  }
  out.push(marathon('group_change_success', event.at, { groupId: changedGroup(d.affectedApps), version: d.version }));
  const request = d.request;
  if (request && API_WRITES.has(request.method.toUpperCase())) {
    for (const appId of d.affectedApps) {
      const app = d.target[appId];
      if (!app) continue;
      out.push(
        marathon('api_post_event', event.at, {
          clientIp: request.remoteAddress ?? '',
          uri: request.path,
          appDefinition: app,
        }),
      );
    }
  }
  return out;
}

function stepJson(plan: Fields, index: number): unknown {
  return (plan.steps as unknown[])[index];
}

/** Step k done: deployment_step_success for it, and deployment_info for the next one if any. */
function stepFinished(
  event: RecordedEvent<DeploymentStepFinished>,
  lookup: RenderLookup,
  options: RenderOptions,
): MarathonEvent[] {
  const entry = lookup.deployments.get(event.data.deploymentId);
  const plan = entry ? deploymentPlan(entry.plan, options.planFormat) : unknownPlan(event.data.deploymentId);
  const finished = event.data.step - 1;
  const out = [marathon('deployment_step_success', event.at, { plan, currentStep: stepJson(plan, finished) })];
  if (entry && event.data.step < entry.plan.steps.length) {
    out.push(marathon('deployment_info', event.at, { plan, currentStep: stepJson(plan, event.data.step) }));
  }
  return out;
}

/** Cancelled (superseded, rolled back): the step in progress failed, then the deployment. */
function deploymentCancelled(
  event: RecordedEvent<DeploymentCancelled>,
  lookup: RenderLookup,
  options: RenderOptions,
): MarathonEvent[] {
  const d = event.data;
  const entry = lookup.deployments.get(d.deploymentId);
  const plan = entry ? deploymentPlan(entry.plan, options.planFormat) : unknownPlan(d.deploymentId);
  const out: MarathonEvent[] = [];
  if (entry && entry.currentStep < entry.plan.steps.length) {
    out.push(marathon('deployment_step_failure', event.at, { plan, currentStep: stepJson(plan, entry.currentStep) }));
  }
  out.push(marathon('deployment_failed', event.at, { id: d.deploymentId, plan, reason: d.reason }));
  return out;
}
