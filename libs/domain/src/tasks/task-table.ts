import { CopyOnWriteMap, CopyOnWriteSet } from '../dry-run/copy-on-write';
import { fromMilli, toMilli } from '../resources/fixed-point';
import {
  containsResources,
  EMPTY_RESOURCES,
  type PortRange,
  type Resources,
  subtractResources,
  sumResources,
} from '../resources';
import type { AgentRecord, TaskRecord } from '../state';
import { countsAsInstance } from '../state';

/**
 * The state's non-terminal tasks by id, with the indexes a scheduling decision needs kept up to
 * date as tasks are set and deleted, so that a tick costs in proportion to what changed rather
 * than to every task in the cluster (issue 12's 200,000 tasks):
 *
 * - per app: its task ids, and how many count as instances (`countsAsInstance`);
 * - per agent: its task ids, and what they use (scalars and a count per port, kept as tasks
 *   come and go, so an agent's free resources never need its tasks read);
 * - the tasks not started yet (launch timeouts) and those kept unreachable (their timers);
 * - the scalars every task uses (the apps framework's DRF share).
 *
 * It is a Map (`state.tasks` is read and written as one everywhere), and the indexes are a pure
 * function of its entries: they are not hashed, not in snapshots, and a table filled from a
 * snapshot has the same ones (a property test checks index = recompute(entries) after every
 * event). Two rules keep that true:
 *
 * - a record is never changed in place behind the table's back: a change is `set` of a new record
 *   or, where a replay owns its records (Ownership `owned`), `mutate`, which re-indexes it;
 * - the id sets keep the table's insertion order (a task joins them once, when first set, and
 *   leaves when deleted), so anything decided by walking them is decided in the same order
 *   whether the table was filled live or from a snapshot. "Not started" is entered once too
 *   (startedAt never goes back to null). The unreachable set can be re-entered, so it is read sorted.
 *
 * `fork()` gives a copy-on-write table (O(1), see dry-run/copy-on-write.ts) for a speculative or
 * dry-run state: its writes, index changes included, never reach this one.
 */
export class TaskTable extends Map<string, TaskRecord> {
  #records: Map<string, TaskRecord>;
  #byApp: Map<string, Set<string>>;
  #byAgent: Map<string, Set<string>>;
  #activeByApp: Map<string, number>;
  #notStarted: Set<string>;
  #unreachable: Set<string>;
  /** What each agent's tasks use, kept as tasks are added and removed (see AgentUse). */
  #agentUse: Map<string, AgentUse>;
  /** Free resources per agent, valid while the agent's record and its used entry stay the same. */
  #freeOnAgent: Map<string, { agent: AgentRecord; used: Resources; free: Resources }>;
  /** Σ cpus, mem, disk of every task, in thousandths (fixed-point: exact under add and subtract). */
  #usedMilli: { cpus: number; mem: number; disk: number };
  /** The id sets and uses this table made itself and may change; a fork's inherited ones are copied first. */
  #ownSets = new WeakSet<Set<string>>();
  #ownUses = new WeakSet<AgentUse>();
  /** Records handed out (gets, walks, index reads): what a counted-operations test measures. */
  #reads = 0;
  /**
   * Bumped by every change; each app's entry is the version of the last change to one of its tasks
   * (read views cache per app and for the whole table by these, see apps/master task-index.ts).
   */
  #version = 0;
  #appVersions: Map<string, number>;
  /**
   * Per app, an object replaced at every change to one of its tasks: unlike a version number it is
   * never reused by another table (a fork's changes make their own), so a memo keyed by it (weakly)
   * can never answer for other tasks (see bucketsOf's memo in deployments).
   */
  #appStamps: Map<string, object>;
  /** Told of every change of an app's active count (the app table's shortfall index, apps/app-table.ts). */
  #activeCountWatcher: ((appId: string) => void) | null = null;

  constructor(entries?: Iterable<readonly [string, TaskRecord]>, base?: TaskTable) {
    super();
    if (base) {
      this.#records = new CopyOnWriteMap(base.#records);
      this.#byApp = new CopyOnWriteMap(base.#byApp);
      this.#byAgent = new CopyOnWriteMap(base.#byAgent);
      this.#activeByApp = new CopyOnWriteMap(base.#activeByApp);
      this.#notStarted = new CopyOnWriteSet(base.#notStarted);
      this.#unreachable = new CopyOnWriteSet(base.#unreachable);
      this.#agentUse = new CopyOnWriteMap(base.#agentUse);
      this.#freeOnAgent = new CopyOnWriteMap(base.#freeOnAgent);
      this.#usedMilli = { ...base.#usedMilli };
      this.#version = base.#version;
      this.#appVersions = new CopyOnWriteMap(base.#appVersions);
      this.#appStamps = new CopyOnWriteMap(base.#appStamps);
    } else {
      this.#records = new Map();
      this.#byApp = new Map();
      this.#byAgent = new Map();
      this.#activeByApp = new Map();
      this.#notStarted = new Set();
      this.#unreachable = new Set();
      this.#agentUse = new Map();
      this.#freeOnAgent = new Map();
      this.#usedMilli = { cpus: 0, mem: 0, disk: 0 };
      this.#appVersions = new Map();
      this.#appStamps = new Map();
    }
    if (entries) for (const [id, task] of entries) this.set(id, task);
  }

  /** A copy-on-write table over this one: O(1); this one must not change while the fork is used. */
  fork(): TaskTable {
    return new TaskTable(undefined, this);
  }

  // ---- Map ----------------------------------------------------------------------------------

  override get(taskId: string): TaskRecord | undefined {
    const task = this.#records.get(taskId);
    if (task) this.#reads++;
    return task;
  }

  override has(taskId: string): boolean {
    return this.#records.has(taskId);
  }

  override get size(): number {
    return this.#records.size;
  }

  override set(taskId: string, task: TaskRecord): this {
    const previous = this.#records.get(taskId);
    if (previous === task) return this; // the same record: nothing it is indexed by changed (see mutate)
    if (previous) this.#unindex(previous, false);
    this.#records.set(taskId, task);
    this.#index(task, previous === undefined);
    return this;
  }

  override delete(taskId: string): boolean {
    const previous = this.#records.get(taskId);
    if (!previous) return false;
    this.#unindex(previous, true);
    return this.#records.delete(taskId);
  }

  override clear(): void {
    for (const id of [...this.#records.keys()]) this.delete(id);
  }

  override *entries(): MapIterator<[string, TaskRecord]> {
    for (const entry of this.#records) {
      this.#reads++;
      yield entry;
    }
  }

  override *keys(): MapIterator<string> {
    yield* this.#records.keys();
  }

  override *values(): MapIterator<TaskRecord> {
    for (const [, task] of this.entries()) yield task;
  }

  override [Symbol.iterator](): MapIterator<[string, TaskRecord]> {
    return this.entries();
  }

  override forEach(callback: (task: TaskRecord, id: string, map: Map<string, TaskRecord>) => void, thisArg?: unknown) {
    for (const [id, task] of this.entries()) callback.call(thisArg, task, id, this);
  }

  /**
   * Changes a record in place (a replay that owns its records, see Ownership), keeping the
   * indexes right: the record is un-indexed as it was and indexed again as it is after `change`.
   */
  mutate(taskId: string, change: (task: TaskRecord) => void): void {
    const task = this.#records.get(taskId);
    if (!task) return;
    this.#unindex(task, false);
    change(task);
    this.#index(task, false);
  }

  // ---- indexes ------------------------------------------------------------------------------

  /** Tasks of the app that count towards its instances. */
  activeCount(appId: string): number {
    return this.#activeByApp.get(appId) ?? 0;
  }

  /** `watcher` is told the app id whenever an app's active count changes (one watcher: a new one replaces it). */
  watchActiveCounts(watcher: (appId: string) => void): void {
    this.#activeCountWatcher = watcher;
  }

  /** The app's tasks, in the table's order. */
  *ofApp(appId: string): Generator<TaskRecord> {
    yield* this.#recordsOf(this.#byApp.get(appId));
  }

  /** The agent's tasks, in the table's order. */
  *onAgent(agentId: string): Generator<TaskRecord> {
    yield* this.#recordsOf(this.#byAgent.get(agentId));
  }

  /** Tasks not RUNNING yet (startedAt null), in the table's order. */
  *notStarted(): Generator<TaskRecord> {
    yield* this.#recordsOf(this.#notStarted);
  }

  /** Tasks kept unreachable (their app's unreachableStrategy), oldest launch first, then by id. */
  unreachable(): TaskRecord[] {
    return [...this.#recordsOf(this.#unreachable)].sort((a, b) =>
      a.stagedAt !== b.stagedAt ? (a.stagedAt < b.stagedAt ? -1 : 1) : a.taskId < b.taskId ? -1 : 1,
    );
  }

  /** What the agent's tasks use (all of them, as an agent's books count them until they end). */
  usedOn(agentId: string): Resources {
    const use = this.#agentUse.get(agentId);
    if (!use) return EMPTY_RESOURCES;
    // Built from the counts when first asked after a change; a cache on a use a fork may share is
    // harmless: both sides would build the same value.
    use.resources ??= {
      cpus: fromMilli(use.cpus),
      mem: fromMilli(use.mem),
      disk: fromMilli(use.disk),
      ports: portRangesOf(use.ports.keys()),
    };
    return use.resources;
  }

  /** The agent's resources less what its tasks use; none when it came back smaller than that. */
  freeOn(agent: AgentRecord): Resources {
    const used = this.usedOn(agent.agentId);
    const cached = this.#freeOnAgent.get(agent.agentId);
    if (cached && cached.agent === agent && cached.used === used) return cached.free;
    const free = containsResources(agent.resources, used) ? subtractResources(agent.resources, used) : EMPTY_RESOURCES;
    this.#freeOnAgent.set(agent.agentId, { agent, used, free });
    return free;
  }

  /** cpus, mem and disk every task uses (ports are not a scalar: DRF never counts them). */
  usedScalars(): Resources {
    const { cpus, mem, disk } = this.#usedMilli;
    return { cpus: fromMilli(cpus), mem: fromMilli(mem), disk: fromMilli(disk), ports: [] };
  }

  /**
   * The indexes as plain data, keys sorted (what a test compares with `indexesOf(entries)`).
   * Per-agent use is computed afresh for agents whose cache was dropped, so the cached ones are
   * compared as they are.
   */
  describeIndexes(): TaskIndexes {
    const sortedKeys = <V>(map: ReadonlyMap<string, V>) => [...map.keys()].sort();
    return {
      byApp: sortedKeys(this.#byApp).map((app) => [app, [...this.#byApp.get(app)!]]),
      byAgent: sortedKeys(this.#byAgent).map((agent) => [agent, [...this.#byAgent.get(agent)!]]),
      activeByApp: sortedKeys(this.#activeByApp).map((app) => [app, this.#activeByApp.get(app)!]),
      notStarted: [...this.#notStarted],
      unreachable: this.unreachable().map((task) => task.taskId),
      usedScalars: this.usedScalars(),
      usedOnAgent: sortedKeys(this.#agentUse).map((agent) => [agent, this.usedOn(agent)]),
    };
  }

  /** Changes so far: equal numbers, equal table. */
  get version(): number {
    return this.#version;
  }

  /** The table's version at the last change to one of the app's tasks (0: none yet). */
  versionOf(appId: string): number {
    return this.#appVersions.get(appId) ?? 0;
  }

  /** The app's stamp (see #appStamps); undefined while none of its tasks ever changed in this table's line. */
  stampOf(appId: string): object | undefined {
    return this.#appStamps.get(appId);
  }

  /** Records handed out so far (see #reads). */
  get reads(): number {
    return this.#reads;
  }

  *#recordsOf(ids: ReadonlySet<string> | undefined): Generator<TaskRecord> {
    if (!ids) return;
    for (const id of ids) {
      this.#reads++;
      yield this.#records.get(id)!;
    }
  }

  #index(task: TaskRecord, added: boolean): void {
    this.#appVersions.set(task.appId, ++this.#version);
    this.#appStamps.set(task.appId, {});
    if (added) {
      this.#join(this.#byApp, task.appId, task.taskId);
      this.#join(this.#byAgent, task.agentId, task.taskId);
      // Entered once, at the first set: startedAt is null only before the task first runs.
      if (task.startedAt === null) this.#notStarted.add(task.taskId);
    } else if (task.startedAt !== null) {
      this.#notStarted.delete(task.taskId);
    }
    if (task.unreachable) this.#unreachable.add(task.taskId);
    if (countsAsInstance(task)) {
      this.#activeByApp.set(task.appId, this.activeCount(task.appId) + 1);
      this.#activeCountWatcher?.(task.appId);
    }
    // A task's resources are those of its launch: only a task's arrival or end changes what is used.
    if (added) this.#use(task, 1);
  }

  #unindex(task: TaskRecord, removed: boolean): void {
    this.#appVersions.set(task.appId, ++this.#version);
    this.#appStamps.set(task.appId, {});
    if (removed) {
      this.#leave(this.#byApp, task.appId, task.taskId);
      this.#leave(this.#byAgent, task.agentId, task.taskId);
      this.#notStarted.delete(task.taskId);
    }
    // A replaced record that had not started keeps its place in #notStarted until its successor has.
    this.#unreachable.delete(task.taskId);
    if (countsAsInstance(task)) {
      const left = this.activeCount(task.appId) - 1;
      if (left > 0) this.#activeByApp.set(task.appId, left);
      else this.#activeByApp.delete(task.appId);
      this.#activeCountWatcher?.(task.appId);
    }
    if (removed) this.#use(task, -1);
  }

  /** Adds (1) or removes (-1) the task's resources to the cluster's and its agent's use. */
  #use(task: TaskRecord, sign: 1 | -1): void {
    const r = task.resources;
    const cpus = toMilli(r.cpus);
    const mem = toMilli(r.mem);
    const disk = toMilli(r.disk);
    this.#usedMilli.cpus += sign * cpus;
    this.#usedMilli.mem += sign * mem;
    this.#usedMilli.disk += sign * disk;
    let use = this.#agentUse.get(task.agentId);
    if (!use) {
      use = { tasks: 0, cpus: 0, mem: 0, disk: 0, ports: new Map(), resources: null };
      this.#ownUses.add(use);
      this.#agentUse.set(task.agentId, use);
    } else if (!this.#ownUses.has(use)) {
      use = { ...use, ports: new Map(use.ports), resources: null };
      this.#ownUses.add(use);
      this.#agentUse.set(task.agentId, use);
    }
    use.tasks += sign;
    if (use.tasks === 0) {
      this.#agentUse.delete(task.agentId);
      return;
    }
    use.cpus += sign * cpus;
    use.mem += sign * mem;
    use.disk += sign * disk;
    for (const [begin, end] of r.ports) {
      for (let port = begin; port <= end; port++) {
        const count = (use.ports.get(port) ?? 0) + sign;
        if (count > 0) use.ports.set(port, count);
        else use.ports.delete(port);
      }
    }
    use.resources = null;
  }

  #join(index: Map<string, Set<string>>, key: string, taskId: string): void {
    let ids = index.get(key);
    if (!ids) {
      ids = new Set();
      this.#ownSets.add(ids);
      index.set(key, ids);
    } else if (!this.#ownSets.has(ids)) {
      ids = new CopyOnWriteSet(ids);
      this.#ownSets.add(ids);
      index.set(key, ids);
    }
    ids.add(taskId);
  }

  #leave(index: Map<string, Set<string>>, key: string, taskId: string): void {
    let ids = index.get(key);
    if (!ids) return;
    if (ids.size === 1 && ids.has(taskId)) {
      index.delete(key);
      return;
    }
    if (!this.#ownSets.has(ids)) {
      ids = new CopyOnWriteSet(ids);
      this.#ownSets.add(ids);
      index.set(key, ids);
    }
    ids.delete(taskId);
  }
}

/**
 * What one agent's tasks use: scalars in thousandths, and how many of its tasks hold each port
 * (two never should, but a count keeps a port used until the last task holding it ends).
 */
interface AgentUse {
  tasks: number;
  cpus: number;
  mem: number;
  disk: number;
  readonly ports: Map<number, number>;
  /** The above as Resources, built when first asked after a change. */
  resources: Resources | null;
}

/** Ports as merged ranges. */
function portRangesOf(ports: Iterable<number>): PortRange[] {
  const sorted = [...ports].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const port of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && port === last[1] + 1) last[1] = port;
    else ranges.push([port, port]);
  }
  return ranges;
}

/** The task table's indexes as data (see TaskTable.describeIndexes and indexesOf). */
export interface TaskIndexes {
  readonly byApp: [string, string[]][];
  readonly byAgent: [string, string[]][];
  readonly activeByApp: [string, number][];
  readonly notStarted: string[];
  readonly unreachable: string[];
  readonly usedScalars: Resources;
  readonly usedOnAgent: [string, Resources][];
}

/** The indexes recomputed from the entries alone, in one pass: what TaskTable must always hold. */
export function indexesOf(entries: Iterable<readonly [string, TaskRecord]>): TaskIndexes {
  const byApp = new Map<string, string[]>();
  const byAgent = new Map<string, TaskRecord[]>();
  const active = new Map<string, number>();
  const notStarted: string[] = [];
  const unreachable: TaskRecord[] = [];
  const all: Resources[] = [];
  for (const [id, task] of entries) {
    byApp.set(task.appId, [...(byApp.get(task.appId) ?? []), id]);
    byAgent.set(task.agentId, [...(byAgent.get(task.agentId) ?? []), task]);
    if (countsAsInstance(task)) active.set(task.appId, (active.get(task.appId) ?? 0) + 1);
    if (task.startedAt === null) notStarted.push(id);
    if (task.unreachable) unreachable.push(task);
    all.push(task.resources);
  }
  const sorted = <V>(map: ReadonlyMap<string, V>): [string, V][] =>
    [...map.keys()].sort().map((key) => [key, map.get(key)!]);
  const total = sumResources(all.map((r) => ({ ...r, ports: [] })));
  return {
    byApp: sorted(byApp),
    byAgent: sorted(byAgent).map(([agent, tasks]) => [agent, tasks.map((t) => t.taskId)]),
    activeByApp: sorted(active),
    notStarted,
    unreachable: new TaskTable(unreachable.map((t) => [t.taskId, t] as const)).unreachable().map((t) => t.taskId),
    usedScalars: total,
    usedOnAgent: sorted(byAgent).map(([agent, tasks]) => [agent, sumResources(tasks.map((t) => t.resources))]),
  };
}
