import { deploymentLaunches, launchQueue, type ClusterState } from '@cairn/domain';
import { appInfo } from '../http/app.view';
import { deploymentInfo } from '../http/deployment.view';
import { allTasks, taskInfo, tasksByApp } from '../http/task.view';
import { embedOf } from '../http/app-embed';
import { isSlicedList, slicedList } from '../http/sliced-json';
import type { PointInLog } from './state-at';

/** Apps as GET /v2/apps shows them with counts, deployments and the last failure (tasks are listed apart). */
const APP_EMBED = embedOf(['counts', 'deployments', 'lastTaskFailure', 'readiness']);

/**
 * The whole cluster at one point of the log, in the shapes the live API uses (Marathon's app, task
 * and deployment JSON; Cairn's agents and queue), so a past state reads like a present one.
 * Times derived from "now" (queue delays) use the point's time, not the wall clock. Agent
 * connections are runtime facts, not state: a past view cannot say who was connected.
 *
 * Apps and tasks are lists rendered item by item (`SlicedList`), so a master can stream them in
 * slices (http/sliced-json.ts); `clusterView` renders everything at once (offline, tests).
 */
export function clusterViewParts(state: ClusterState, point: PointInLog, hash: string): Record<string, unknown> {
  const nowMs = point.at === null ? 0 : Date.parse(point.at);
  const grouped = tasksByApp(state);
  const apps = [...state.apps.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const agents = [...state.agents.values()]
    .sort((a, b) => (a.agentId < b.agentId ? -1 : 1))
    .map(({ sinceMs, ...agent }) => ({ ...agent, since: new Date(sinceMs).toISOString() }));
  const queue = launchQueue(state, nowMs, deploymentLaunches(state, grouped)).map((q) => ({
    appId: q.app.id,
    count: q.count,
    delayedUntil: q.delayedUntilMs === null ? null : new Date(q.delayedUntilMs).toISOString(),
    reasons: state.queueReasons.get(q.app.id) ?? [],
  }));
  return {
    offset: point.offset,
    at: point.at,
    hash,
    apps: slicedList(apps, (app) => appInfo(app, state, APP_EMBED, { tasks: grouped.get(app.id) ?? [], nowMs })),
    tasks: slicedList(allTasks(state), (task) => taskInfo(task, state)),
    agents,
    deployments: [...state.deployments.values()].map((d) => deploymentInfo(d, state)),
    queue,
  };
}

/** The whole view rendered at once. */
export function clusterView(state: ClusterState, point: PointInLog, hash: string): Record<string, unknown> {
  const parts = clusterViewParts(state, point, hash);
  return Object.fromEntries(
    Object.entries(parts).map(([key, value]) => [
      key,
      isSlicedList(value) ? value.items.map((item) => value.render(item)) : value,
    ]),
  );
}
