import type { AppDefinition } from '@cairn/events';
import type { AgentRecord, TaskRecord } from '../state';
import { selectKillsForConstraints } from '../constraints';

/**
 * Marathon's scale-down order (notes §5.5): tasks that keep the app's GROUP_BY spreads even go
 * first, then tasks not running yet, then by the app's killSelection (YOUNGEST_FIRST by default)
 * on staged time; ties by task id. Returns `count` victims among `live` (tasks not already being
 * killed), in age order so that the events read the same whatever the selection.
 */
export function selectScaleDownVictims(
  app: Pick<AppDefinition, 'killSelection'> & { readonly constraints?: readonly (readonly string[])[] },
  live: readonly TaskRecord[],
  count: number,
  agents: ReadonlyMap<string, AgentRecord> = new Map(),
): TaskRecord[] {
  if (count <= 0) return [];
  const byAge = byAgeAscending(live);
  const ordered = app.killSelection === 'OLDEST_FIRST' ? byAge : [...byAge].reverse();
  const preference = [
    ...ordered.filter((t) => t.state !== 'TASK_RUNNING'),
    ...ordered.filter((t) => t.state === 'TASK_RUNNING'),
  ];
  const candidates = preference.map((t) => ({
    taskId: t.taskId,
    hostname: t.host,
    attributes: agents.get(t.agentId)?.attributes ?? {},
  }));
  const chosen = new Set(selectKillsForConstraints(app.constraints ?? [], candidates, count));
  return byAge.filter((t) => chosen.has(t.taskId));
}

export function byAgeAscending(tasks: readonly TaskRecord[]): TaskRecord[] {
  return [...tasks].sort((a, b) =>
    a.stagedAt === b.stagedAt ? (a.taskId < b.taskId ? -1 : 1) : a.stagedAt < b.stagedAt ? -1 : 1,
  );
}
