import { Injectable } from '@nestjs/common';
import type { ClusterState, TaskRecord } from '@cairn/domain';
import type { AppDefinition } from '@cairn/events';
import { MasterRuntime } from '../core/master-runtime';
import type { AppEmbed } from './app-embed';
import {
  appDefinitionView,
  appInfo,
  appInfoSections,
  type AppInfoOverrides,
  taskCounts,
  type TaskCounts,
} from './app.view';
import { RawJson } from './sliced-json';
import { TaskIndex } from './task-index';
import { taskInfo } from './task.view';

/**
 * The /v2 read views of the served state at size (issue 12): the task index (task-index.ts) instead
 * of grouping and sorting every task per request, and the JSON of each app definition and each task
 * serialised once per record, kept in WeakMaps keyed by the record itself. Records are immutable in
 * live operation (`evolve` replaces what it changes), so a record's JSON never goes stale and leaves
 * with it; a list is put together from those pieces (the bytes `JSON.stringify` of the objects
 * gives: read-views.spec.ts holds them to it). What depends on more than the record (counts,
 * deployments, lastTaskFailure, taskStats) is computed per request, as before.
 */
@Injectable()
export class ReadViews {
  private readonly index = new TaskIndex();
  private readonly definitionJson = new WeakMap<AppDefinition, string>();
  /** A task's JSON, with the app's portDefinitions it showed (its `servicePorts`). */
  private readonly taskJson = new WeakMap<TaskRecord, { ports: unknown; json: string }>();

  private readonly counts = new WeakMap<readonly TaskRecord[], TaskCounts>();
  private appIdOrder: string[] = [];

  constructor(private readonly runtime: MasterRuntime) {}

  /** The served state, the index brought up to it. */
  state(): ClusterState {
    const projection = this.runtime.projection;
    const state = projection.state;
    this.index.refresh(state);
    return state;
  }

  /**
   * Every app of the served state by id (`localeCompare`, as /v2/apps always sorted them). The order
   * is kept while the set of ids stays (a scale or an update replaces a record, not its place):
   * sorting 10,000 ids with the locale's collation took longer than rendering them.
   */
  appsInOrder(): AppDefinition[] {
    const apps = this.state().apps;
    let ids = this.appIdOrder;
    if (ids.length !== apps.size || !ids.every((id) => apps.has(id))) {
      ids = [...apps.keys()].sort(COLLATOR.compare);
      this.appIdOrder = ids;
    }
    return ids.map((id) => apps.get(id)!);
  }

  /** The app's tasks (Marathon's order) in the served state. */
  tasksOf(appId: string): readonly TaskRecord[] {
    this.state();
    return this.index.tasksOf(appId);
  }

  /** Every task (Marathon's order) in the served state. */
  allTasks(): readonly TaskRecord[] {
    this.state();
    return this.index.all();
  }

  /** app.view.ts's appInfo, with the app's tasks from the index. */
  appInfo(app: AppDefinition, embed: AppEmbed, overrides: Omit<AppInfoOverrides, 'tasks'> = {}) {
    const state = this.state();
    return appInfo(app, state, embed, { ...overrides, tasks: this.index.tasksOf(app.id) });
  }

  /** `JSON.stringify(appInfo(app, state, embed, { nowMs }))`, put together from the cached pieces. */
  appJson(app: AppDefinition, embed: AppEmbed, nowMs: number): RawJson {
    const state = this.state();
    const own = this.index.tasksOf(app.id);
    const counts = embed.counts ? this.countsOf(own) : undefined;
    const { head, tail } = appInfoSections(app, state, embed, { tasks: own, nowMs, counts });
    let json = this.definitionOf(app).slice(0, -1);
    json += fieldsOf(head);
    if (embed.tasks) {
      json += ',"tasks":[';
      for (let i = 0; i < own.length; i++) json += (i > 0 ? ',' : '') + this.taskJsonOf(own[i]!, state);
      json += ']';
    }
    return new RawJson(json + fieldsOf(tail) + '}');
  }

  /** `JSON.stringify(taskInfo(task, state))`, serialised once per record (and app ports). */
  task(task: TaskRecord): RawJson {
    return new RawJson(this.taskJsonOf(task, this.state()));
  }

  /**
   * Counted once per task array: the index keeps an app's array until one of its tasks changes.
   * (Reading 200,000 task records scattered over a large heap took ~300 ms per list.)
   */
  private countsOf(tasks: readonly TaskRecord[]): TaskCounts {
    let counts = this.counts.get(tasks);
    if (!counts) {
      counts = taskCounts(tasks);
      this.counts.set(tasks, counts);
    }
    return counts;
  }

  private definitionOf(app: AppDefinition): string {
    let json = this.definitionJson.get(app);
    if (json === undefined) {
      json = JSON.stringify(appDefinitionView(app));
      this.definitionJson.set(app, json);
    }
    return json;
  }

  private taskJsonOf(task: TaskRecord, state: ClusterState): string {
    const ports = state.apps.get(task.appId)?.portDefinitions;
    const cached = this.taskJson.get(task);
    if (cached && cached.ports === ports) return cached.json;
    const json = JSON.stringify(taskInfo(task, state));
    this.taskJson.set(task, { ports, json });
    return json;
  }
}

/** `a.localeCompare(b)`'s collation (the default locale), made once. */
const COLLATOR = new Intl.Collator();

/** The fields of a JSON object, each after a comma (to follow other fields), or '' for none. */
function fieldsOf(object: Record<string, unknown>): string {
  const json = JSON.stringify(object);
  return json === '{}' ? '' : ',' + json.slice(1, -1);
}
