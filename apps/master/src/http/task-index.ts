import type { ClusterState, TaskRecord } from '@cairn/domain';
import { byStagedAt } from './task.view';

/**
 * The served state's tasks in Marathon's order (staged time, then id), per app and in all, for
 * the read endpoints, which used to group and sort all of them per request (GET /v2/apps/{id}
 * sorted 200,000 tasks to show 20). The grouping is the task table's own index
 * (`state.tasks.ofApp`, libs/domain/src/tasks/task-table.ts); what is kept here is the sorted
 * arrays, each valid while the table's version for its app (or the whole table's) stays the same,
 * so an unchanged app gives the same array (views cache their counts by it).
 */
export class TaskIndex {
  private state: ClusterState | null = null;
  private readonly sortedOfApp = new Map<string, { version: number; tasks: readonly TaskRecord[] }>();
  private allTasks: { version: number; tasks: readonly TaskRecord[] } | null = null;

  /** Follows `state` (the projection's): another state object starts afresh. */
  refresh(state: ClusterState): void {
    if (state === this.state) return;
    this.state = state;
    this.sortedOfApp.clear();
    this.allTasks = null;
  }

  /** The app's tasks, staged first first. The same array until one of them changes. */
  tasksOf(appId: string): readonly TaskRecord[] {
    const tasks = this.current().tasks;
    const version = tasks.versionOf(appId);
    const cached = this.sortedOfApp.get(appId);
    if (cached && cached.version === version) return cached.tasks;
    const sorted = Object.freeze([...tasks.ofApp(appId)].sort(byStagedAt));
    this.sortedOfApp.set(appId, { version, tasks: sorted });
    return sorted;
  }

  /**
   * Every task, staged first first (Marathon's /v2/tasks order). The same array until a task
   * changes; then sorted again, which is close to one pass: the table's order is launch order.
   */
  all(): readonly TaskRecord[] {
    const tasks = this.current().tasks;
    if (this.allTasks && this.allTasks.version === tasks.version) return this.allTasks.tasks;
    const sorted = Object.freeze([...tasks.values()].sort(byStagedAt));
    this.allTasks = { version: tasks.version, tasks: sorted };
    return sorted;
  }

  private current(): ClusterState {
    if (!this.state) throw new Error('TaskIndex: refresh(state) first');
    return this.state;
  }
}
