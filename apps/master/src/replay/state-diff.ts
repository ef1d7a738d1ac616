import type { AgentRecord, ClusterState, DeploymentRecord, TaskRecord } from '@cairn/domain';
import type { AppDefinition, CairnEvent, RecordedEvent } from '@cairn/events';

/** The parts of a state a diff compares. Maps are copied; records are shared (see captureForDiff). */
export interface StateCapture {
  readonly apps: ReadonlyMap<string, AppDefinition>;
  readonly tasks: ReadonlyMap<string, TaskRecord>;
  readonly agents: ReadonlyMap<string, AgentRecord>;
  readonly deployments: ReadonlyMap<string, DeploymentRecord>;
}

/**
 * A capture of `state` that later events do not change, as long as they are applied in `shared`
 * mode (a change replaces a record instead of updating it: libs/domain Ownership).
 */
export function captureForDiff(state: ClusterState): StateCapture {
  return {
    apps: new Map(state.apps),
    tasks: new Map(state.tasks),
    agents: new Map(state.agents),
    deployments: new Map(state.deployments),
  };
}

/** One change, with a sentence for people and the fields for scripts. */
export interface Change {
  readonly kind: 'app' | 'tasks' | 'agent' | 'deployment';
  readonly subject: string;
  readonly text: string;
  readonly [field: string]: unknown;
}

/**
 * What the events between two points say beyond the states themselves: who changed each app, how
 * each task that is gone ended, how each deployment that is gone ended. Fed every event in
 * (A, B], it keeps only that.
 */
export class ChangeWitness {
  readonly appActors = new Map<string, string>();
  readonly taskEnds = new Map<string, string>();
  readonly deploymentEnds = new Map<string, string>();
  events = 0;

  observe(event: RecordedEvent<CairnEvent>): void {
    this.events++;
    switch (event.type) {
      case 'AppCreated':
      case 'AppUpdated':
        this.appActors.set(event.data.app.id, event.actor);
        break;
      case 'AppScaled':
      case 'AppDeleted':
      case 'AppRestartRequested':
        this.appActors.set(event.data.appId, event.actor);
        break;
      case 'TaskStatusUpdated':
        this.taskEnds.set(event.data.taskId, event.data.state);
        break;
      case 'DeploymentFinished':
        this.deploymentEnds.set(event.data.deploymentId, 'finished');
        break;
      case 'DeploymentCancelled':
        this.deploymentEnds.set(event.data.deploymentId, `cancelled (${event.data.reason})`);
        break;
      default:
        break;
    }
  }
}

/** Fields that change with every write and say nothing of their own. */
const VERSION_FIELDS = new Set(['version', 'versionInfo', 'instances']);

/** The changes from `before` to `after`, in words, apps first, then tasks, agents and deployments. */
export function describeChanges(before: StateCapture, after: StateCapture, witness: ChangeWitness): Change[] {
  return [
    ...appChanges(before, after, witness),
    ...taskChanges(before, after, witness),
    ...agentChanges(before, after),
    ...deploymentChanges(before, after, witness),
  ];
}

function appChanges(before: StateCapture, after: StateCapture, witness: ChangeWitness): Change[] {
  const changes: Change[] = [];
  const by = (id: string) => (witness.appActors.has(id) ? ` by ${witness.appActors.get(id)}` : '');
  for (const id of sortedKeys(before.apps, after.apps)) {
    const was = before.apps.get(id);
    const is = after.apps.get(id);
    if (!was && is) {
      changes.push({
        kind: 'app',
        subject: id,
        change: 'created',
        text: `app ${id} created with ${plural(is.instances, 'instance')}${by(id)}`,
      });
    } else if (was && !is) {
      changes.push({ kind: 'app', subject: id, change: 'deleted', text: `app ${id} deleted${by(id)}` });
    } else if (was && is && was !== is) {
      const fields = changedFields(was, is);
      const parts: string[] = [];
      if (was.instances !== is.instances) parts.push(`scaled ${was.instances} → ${is.instances}`);
      if (fields.length > 0) parts.push(`changed ${fields.join(', ')}`);
      else if (was.version !== is.version && was.instances === is.instances) parts.push('restarted (new version)');
      if (parts.length === 0) continue;
      changes.push({
        kind: 'app',
        subject: id,
        change: 'updated',
        instances: [was.instances, is.instances],
        fields,
        text: `app ${id} ${parts.join(' and ')}${by(id)}`,
      });
    }
  }
  return changes;
}

function changedFields(was: AppDefinition, is: AppDefinition): string[] {
  const keys = new Set([...Object.keys(was), ...Object.keys(is)]);
  const changed: string[] = [];
  for (const key of [...keys].sort()) {
    if (VERSION_FIELDS.has(key)) continue;
    const a = (was as unknown as Record<string, unknown>)[key];
    const b = (is as unknown as Record<string, unknown>)[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) changed.push(key);
  }
  return changed;
}

function taskChanges(before: StateCapture, after: StateCapture, witness: ChangeWitness): Change[] {
  const launched = new Map<string, TaskRecord[]>(); // app + agent → tasks
  const ended = new Map<string, Map<string, number>>(); // app → end state → count
  const started = new Map<string, number>(); // app → tasks that reached RUNNING
  for (const [taskId, task] of after.tasks) {
    const was = before.tasks.get(taskId);
    if (!was) group(launched, `${task.appId}\u0000${task.agentId}`, task);
    else if (was.state !== 'TASK_RUNNING' && task.state === 'TASK_RUNNING') increment(started, task.appId);
  }
  for (const [taskId, task] of before.tasks) {
    if (after.tasks.has(taskId)) continue;
    const endedAs = witness.taskEnds.get(taskId) ?? 'removed';
    const byState = ended.get(task.appId) ?? new Map<string, number>();
    ended.set(task.appId, byState);
    increment(byState, endedAs);
  }
  const changes: Change[] = [];
  for (const key of [...launched.keys()].sort()) {
    const tasks = launched.get(key)!;
    const { appId, agentId, host } = tasks[0];
    changes.push({
      kind: 'tasks',
      subject: appId,
      change: 'launched',
      agentId,
      taskIds: tasks.map((t) => t.taskId),
      text: `${plural(tasks.length, 'task')} of ${appId} launched on agent ${agentId} (${host})`,
    });
  }
  for (const appId of [...started.keys()].sort()) {
    changes.push({
      kind: 'tasks',
      subject: appId,
      change: 'running',
      count: started.get(appId),
      text: `${plural(started.get(appId)!, 'earlier task')} of ${appId} became RUNNING`,
    });
  }
  for (const appId of [...ended.keys()].sort()) {
    const byState = ended.get(appId)!;
    const total = [...byState.values()].reduce((a, b) => a + b, 0);
    const how = [...byState.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    changes.push({
      kind: 'tasks',
      subject: appId,
      change: 'ended',
      ended: Object.fromEntries(byState),
      text: `${plural(total, 'task')} of ${appId} ended (${how})`,
    });
  }
  return changes;
}

function agentChanges(before: StateCapture, after: StateCapture): Change[] {
  const changes: Change[] = [];
  for (const id of sortedKeys(before.agents, after.agents)) {
    const was = before.agents.get(id);
    const is = after.agents.get(id);
    if (!was && is) {
      changes.push({ kind: 'agent', subject: id, change: 'joined', text: `agent ${id} (${is.hostname}) joined` });
    } else if (was && is && was.status !== is.status) {
      changes.push({
        kind: 'agent',
        subject: id,
        change: 'status',
        status: [was.status, is.status],
        text: `agent ${id} (${is.hostname}) ${was.status} → ${is.status}`,
      });
    } else if (was && !is) {
      changes.push({ kind: 'agent', subject: id, change: 'removed', text: `agent ${id} (${was.hostname}) removed` });
    }
  }
  return changes;
}

function deploymentChanges(before: StateCapture, after: StateCapture, witness: ChangeWitness): Change[] {
  const changes: Change[] = [];
  for (const id of sortedKeys(before.deployments, after.deployments)) {
    const was = before.deployments.get(id);
    const is = after.deployments.get(id);
    if (!was && is) {
      const who = is.request ? ` by ${is.request.actor}` : '';
      changes.push({
        kind: 'deployment',
        subject: id,
        change: 'started',
        text: `deployment ${id} of ${is.affectedApps.join(', ')} started${who}, at step ${is.currentStep + 1} of ${is.steps.length}`,
      });
    } else if (was && !is) {
      const how = witness.deploymentEnds.get(id) ?? 'ended';
      changes.push({ kind: 'deployment', subject: id, change: how.split(' ')[0], text: `deployment ${id} ${how}` });
    } else if (was && is && was.currentStep !== is.currentStep) {
      changes.push({
        kind: 'deployment',
        subject: id,
        change: 'progressed',
        text: `deployment ${id} step ${was.currentStep + 1} → ${is.currentStep + 1} of ${is.steps.length}`,
      });
    }
  }
  // Deployments that started and ended between the two points.
  for (const [id, how] of witness.deploymentEnds) {
    if (before.deployments.has(id) || after.deployments.has(id)) continue;
    changes.push({
      kind: 'deployment',
      subject: id,
      change: how.split(' ')[0],
      text: `deployment ${id} started and ${how}`,
    });
  }
  return changes;
}

function sortedKeys<K extends string>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

function group<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
