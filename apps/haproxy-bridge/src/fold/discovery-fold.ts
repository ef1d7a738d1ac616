import { AppDefinition, CairnEvent, ENDING_STATES, TaskLaunchedData } from '../events/cairn-events';

/**
 * The bridge's own fold of the public topic: only what service discovery needs (apps' service
 * ports, tasks' address, state, kill, health and readiness), following docs/events.md "Folding
 * apps" and "Folding tasks and health". No I/O and no clock: the same records give the same
 * state, at start-up (the whole topic) as while following.
 */

export interface DiscoveryApp {
  readonly id: string;
  /** `portDefinitions[i].port`: service port i, index-aligned with each task's host ports. */
  readonly servicePorts: readonly number[];
  /** marathon-lb's `HAPROXY_GROUP` label, when the app has one. */
  readonly group: string | undefined;
  /** HAProxy's mode per service port, index-aligned with `servicePorts`. */
  readonly modes: readonly ProxyMode[];
}

export type ProxyMode = 'http' | 'tcp';

export interface DiscoveryTask {
  readonly taskId: string;
  readonly appId: string;
  readonly host: string;
  readonly ports: readonly number[];
  state: string;
  killRequested: boolean;
  /** One verdict per health check of the launch; `null` until its first report. */
  readonly health: (boolean | null)[];
  ready: boolean;
}

export interface DiscoveryState {
  readonly apps: Map<string, DiscoveryApp>;
  readonly tasks: Map<string, DiscoveryTask>;
}

export function emptyDiscoveryState(): DiscoveryState {
  return { apps: new Map(), tasks: new Map() };
}

/**
 * Applies one (schema-checked) event in place. Types the bridge does not use, and task events
 * for a task it does not hold (it already ended), change nothing.
 */
export function foldEvent(state: DiscoveryState, event: CairnEvent): void {
  const data = event.data;
  switch (event.type) {
    case 'AppCreated':
    case 'AppUpdated': {
      const app = data.app as AppDefinition;
      state.apps.set(app.id, {
        id: app.id,
        servicePorts: app.portDefinitions.map((p) => p.port),
        group: app.labels.HAPROXY_GROUP,
        modes: app.portDefinitions.map((_, index) => proxyModeOf(app, index)),
      });
      return;
    }
    case 'AppDeleted':
      // Its tasks stay until each ends with its own TaskStatusUpdated; without the app they serve no port.
      state.apps.delete(data.appId as string);
      return;
    case 'TaskLaunched': {
      const launched = data as unknown as TaskLaunchedData;
      state.tasks.set(launched.taskId, {
        taskId: launched.taskId,
        appId: launched.appId,
        host: launched.host,
        ports: [...launched.ports],
        state: 'TASK_STAGING',
        killRequested: false,
        // v1 launches ran no checks (its upcaster sets both lists to []).
        health: (launched.healthChecks ?? []).map(() => null),
        ready: (launched.readinessChecks ?? []).length === 0,
      });
      return;
    }
  }
  const task = state.tasks.get(data.taskId as string);
  if (!task) return;
  switch (event.type) {
    case 'TaskStatusUpdated':
      if (ENDING_STATES.has(data.state as string)) state.tasks.delete(task.taskId);
      else task.state = data.state as string;
      return;
    case 'TaskKillRequested':
      task.killRequested = true;
      return;
    case 'TaskHealthChanged': {
      const index = data.checkIndex as number;
      if (index < task.health.length) task.health[index] = data.alive as boolean;
      return;
    }
    case 'TaskReadinessChanged':
      task.ready = data.ready as boolean;
      return;
    case 'TaskUnreachable':
      task.state = 'TASK_UNREACHABLE';
      return;
  }
}

/**
 * Whether a load balancer may send the task traffic (docs/events.md: healthy and ready): it
 * runs, its kill was not requested, every health check has reported alive (a task without
 * checks qualifies once it runs), and its readiness checks passed.
 */
export function isRoutable(task: DiscoveryTask): boolean {
  return (
    task.state === 'TASK_RUNNING' && !task.killRequested && task.ready && task.health.every((alive) => alive === true)
  );
}

/**
 * marathon-lb's rule: the label `HAPROXY_<i>_MODE` (`http` or `tcp`) when set, otherwise `http`
 * for a port an HTTP health check probes, `tcp` for the others.
 */
export function proxyModeOf(app: AppDefinition, portIndex: number): ProxyMode {
  const label = app.labels[`HAPROXY_${portIndex}_MODE`]?.toLowerCase();
  if (label === 'http' || label === 'tcp') return label;
  const httpChecked = (app.healthChecks ?? []).some(
    (check) => (check.protocol === 'HTTP' || check.protocol === 'MESOS_HTTP') && (check.portIndex ?? 0) === portIndex,
  );
  return httpChecked ? 'http' : 'tcp';
}
