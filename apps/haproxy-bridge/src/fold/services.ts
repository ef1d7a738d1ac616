import { DiscoveryState, DiscoveryTask, isRoutable, ProxyMode } from './discovery-fold';

/** One service port of one app and the task ports behind it: one HAProxy frontend + backend. */
export interface Service {
  readonly appId: string;
  readonly servicePort: number;
  /** Which of the app's ports (`PORT<i>`) the servers listen on. */
  readonly portIndex: number;
  readonly mode: ProxyMode;
  readonly servers: readonly Server[];
}

export interface Server {
  readonly taskId: string;
  readonly host: string;
  readonly port: number;
}

export interface ServiceSelection {
  /** Only apps whose `HAPROXY_GROUP` label equals this (marathon-lb's `--group`); all apps when unset. */
  readonly group?: string;
}

/**
 * The services to expose, in a stable order (app id, then service port; servers by task id) so
 * that the same state always renders the same configuration and an unchanged one is not reloaded.
 * A service port 0 (an app logged before Cairn assigned service ports) has no address to listen
 * on and is left out, as are tasks with fewer host ports than the app has service ports.
 */
export function servicesOf(state: DiscoveryState, selection: ServiceSelection = {}): Service[] {
  const services: Service[] = [];
  const apps = [...state.apps.values()]
    .filter((app) => selection.group === undefined || app.group === selection.group)
    .sort((a, b) => compare(a.id, b.id));
  const routableByApp = new Map<string, DiscoveryTask[]>();
  for (const task of state.tasks.values()) {
    if (!isRoutable(task)) continue;
    const list = routableByApp.get(task.appId) ?? [];
    list.push(task);
    routableByApp.set(task.appId, list);
  }
  for (const app of apps) {
    const tasks = (routableByApp.get(app.id) ?? []).sort((a, b) => compare(a.taskId, b.taskId));
    app.servicePorts.forEach((servicePort, portIndex) => {
      if (servicePort === 0) return;
      const servers = tasks
        .filter((task) => task.ports.length > portIndex)
        .map((task) => ({ taskId: task.taskId, host: task.host, port: task.ports[portIndex] }));
      services.push({ appId: app.id, servicePort, portIndex, mode: app.modes[portIndex] ?? 'tcp', servers });
    });
  }
  return services.sort((a, b) => compare(a.appId, b.appId) || a.servicePort - b.servicePort);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
