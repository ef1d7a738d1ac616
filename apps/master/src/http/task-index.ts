import type { ClusterState, TaskRecord } from '@cairn/domain';
import { byStagedAt } from './task.view';

const NO_TASKS: readonly TaskRecord[] = Object.freeze([]);

/**
 * The served state's tasks grouped by app and in Marathon's order (staged time, then id), kept
 * beside the projection for the read endpoints, which used to group and sort all of them per
 * request (GET /v2/apps/{id} sorted 200,000 tasks to show 20).
 *
 * It follows the state by record identity: in live operation `evolve` never changes a record, it
 * replaces it (Ownership `shared`, libs/domain/src/state.ts), so a record seen before is unchanged.
 * (A replay that updates records in place, `owned`, runs before the master serves any read, or
 * on a state of its own.) `refresh` runs at most once per applied offset: a walk of the task map
 * comparing references, without allocating; only the apps whose tasks changed are re-sorted, and
 * only when read.
 */
export class TaskIndex {
  private state: ClusterState | null = null;
  private offset = Number.NaN;
  /** Every task of `state` as last seen. */
  private readonly known = new Map<string, TaskRecord>();
  /** Task ids per app (insertion order; sorted when read). */
  private readonly idsOfApp = new Map<string, Set<string>>();
  /** Sorted tasks per app, dropped when one of the app's tasks changes. */
  private readonly sortedOfApp = new Map<string, readonly TaskRecord[]>();
  /** All task ids in order, with tasks added since (unsorted) and whether some left since. */
  private order: string[] | null = null;
  private added: TaskRecord[] = [];
  /** `all()`'s answer, until a task changes. */
  private allTasks: readonly TaskRecord[] | null = null;
  private removedSome = false;

  /** Brings the index to `state` as of `offset` (the projection's applied offset). */
  refresh(state: ClusterState, offset: number): void {
    if (state === this.state && offset === this.offset) return;
    if (state !== this.state) this.reset();
    this.state = state;
    this.offset = offset;
    for (const [taskId, task] of state.tasks) {
      const before = this.known.get(taskId);
      if (before === task) continue;
      this.known.set(taskId, task);
      this.sortedOfApp.delete(task.appId);
      this.allTasks = null;
      if (!before) {
        let ids = this.idsOfApp.get(task.appId);
        if (!ids) this.idsOfApp.set(task.appId, (ids = new Set()));
        ids.add(taskId);
        if (this.order) this.added.push(task);
      } else if (before.stagedAt !== task.stagedAt) {
        this.dropOrder(); // its place in the order moved (not seen in practice: the staged time is its launch's)
      }
    }
    // `known` holds every current task, so it is larger exactly when some left the state.
    if (this.known.size !== state.tasks.size) {
      for (const [taskId, task] of this.known) {
        if (state.tasks.has(taskId)) continue;
        this.known.delete(taskId);
        this.sortedOfApp.delete(task.appId);
        this.allTasks = null;
        const ids = this.idsOfApp.get(task.appId);
        ids?.delete(taskId);
        if (ids?.size === 0) this.idsOfApp.delete(task.appId);
        if (this.order) this.removedSome = true;
      }
    }
  }

  /** The app's tasks, staged first first. The same array until one of them changes. */
  tasksOf(appId: string): readonly TaskRecord[] {
    const cached = this.sortedOfApp.get(appId);
    if (cached) return cached;
    const ids = this.idsOfApp.get(appId);
    if (!ids) return NO_TASKS;
    const sorted = Object.freeze([...ids].map((id) => this.known.get(id)!).sort(byStagedAt));
    this.sortedOfApp.set(appId, sorted);
    return sorted;
  }

  /** Every task, staged first first (Marathon's /v2/tasks order). The same array until a task changes. */
  all(): readonly TaskRecord[] {
    if (this.allTasks) return this.allTasks;
    if (this.removedSome && this.order) this.order = this.order.filter((id) => this.known.has(id));
    this.removedSome = false;
    if (this.added.length > 0 && this.order) {
      // New tasks are staged now: they nearly always sort after every task there is.
      const added = this.added.filter((task) => this.known.get(task.taskId) !== undefined).sort(byStagedAt);
      const last = this.order.length > 0 ? this.known.get(this.order[this.order.length - 1]!)! : undefined;
      if (added.length > 0 && last && byStagedAt(last, added[0]!) > 0) this.order = null;
      else for (const task of added) this.order.push(task.taskId);
    }
    this.added = [];
    if (!this.order) {
      this.order = [...this.known.values()].sort(byStagedAt).map((task) => task.taskId);
    }
    this.allTasks = Object.freeze(this.order.map((id) => this.known.get(id)!));
    return this.allTasks;
  }

  private reset(): void {
    this.allTasks = null;
    this.known.clear();
    this.idsOfApp.clear();
    this.sortedOfApp.clear();
    this.dropOrder();
  }

  /** The next `all()` sorts afresh (nothing is kept for an order no one reads). */
  private dropOrder(): void {
    this.order = null;
    this.added = [];
    this.removedSome = false;
  }
}
