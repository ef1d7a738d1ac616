import type { AppDefinition } from '@cairn/events';
import { CopyOnWriteMap, CopyOnWriteSet } from '../dry-run/copy-on-write';
import type { TaskTable } from '../tasks/task-table';
import { SERVICE_PORT_MAX, SERVICE_PORT_MIN } from './service-port-range';

/**
 * The state's apps by id, with each app's `instances` kept beside it in a map of numbers: the
 * launch queue compares every app's instances with its active tasks on every tick, and at 10,000
 * apps reading that one field from each definition (about 30 fields, its properties out of line)
 * cost a tick more than the rest of its work. The numbers are a pure function of the entries, like
 * the task table's indexes (tasks/task-table.ts): not hashed, not in snapshots, copied on write in
 * a fork. A definition changed in place (an owned replay) is `set` again after the change, as
 * evolveApp does, which re-reads its instances.
 */
export class AppTable extends Map<string, AppDefinition> {
  #records: Map<string, AppDefinition>;
  #instances: Map<string, number>;
  /** Where active counts are read (the state's task table, see countTasksIn); null until then. */
  #tasks: TaskTable | null;
  /** Apps with more instances than active tasks: the launch queue's candidates, kept as either side changes. */
  #short: Set<string>;
  /** How many apps hold each non-zero service port, and which ports each app was indexed with. */
  #portHolders: Map<number, number>;
  #portsOf: Map<string, readonly number[]>;
  /**
   * Every port from SERVICE_PORT_MIN up to this one is held by some app: where a search for a free
   * service port may start. Lowered when a port below it is released; the search raises it. Without
   * it, the 10,000th app created with `port: 0` read 10,000 taken ports first (3.6 s of a master's
   * CPU for 10,000 creates).
   */
  #allHeldBelow: number;

  constructor(entries?: Iterable<readonly [string, AppDefinition]>, base?: AppTable) {
    super();
    this.#records = base ? new CopyOnWriteMap(base.#records) : new Map();
    this.#instances = base ? new CopyOnWriteMap(base.#instances) : new Map();
    this.#tasks = base ? base.#tasks : null;
    this.#short = base ? new CopyOnWriteSet(base.#short) : new Set();
    this.#portHolders = base ? new CopyOnWriteMap(base.#portHolders) : new Map();
    this.#portsOf = base ? new CopyOnWriteMap(base.#portsOf) : new Map();
    this.#allHeldBelow = base ? base.#allHeldBelow : SERVICE_PORT_MIN;
    if (entries) for (const [id, app] of entries) this.set(id, app);
  }

  /**
   * A copy-on-write table over this one: O(1); this one must not change while the fork is used.
   * With `tasks` (a fork of the task table it counts in, forked with it) it counts in that one;
   * without, it reads the same task table as this one.
   */
  fork(tasks?: TaskTable): AppTable {
    const fork = new AppTable(undefined, this);
    if (tasks) fork.#watch(tasks);
    return fork;
  }

  /**
   * Links the table to the state's task table, where active counts are read: from now on it keeps
   * the apps short of instances (`shortOfInstances`) as apps and active counts change.
   */
  countTasksIn(tasks: TaskTable): void {
    this.#watch(tasks);
    this.#short.clear();
    for (const appId of this.#records.keys()) this.#recheck(appId);
  }

  /**
   * Apps with more instances than active tasks (the task table's `activeCount`), in no particular
   * order: the apps the launch queue may hold besides those a deployment works on. A tick reads
   * these instead of comparing 10,000 apps' counts (about 10 ms in a master's large heap).
   */
  shortOfInstances(): ReadonlySet<string> {
    if (!this.#tasks) throw new Error('the app table counts no tasks yet (countTasksIn)');
    return this.#short;
  }

  /** Every app's `instances`, by id, in the table's order. */
  instances(): ReadonlyMap<string, number> {
    return this.#instances;
  }

  /**
   * The lowest service port that no app holds, from SERVICE_PORT_MIN on (SERVICE_PORT_MAX when all
   * are): ports below it are all held. Amortised O(1) while apps are created: the search resumes
   * where the last one stopped.
   */
  lowestUnheldServicePort(): number {
    let port = this.#allHeldBelow;
    while (port < SERVICE_PORT_MAX && this.#portHolders.has(port)) port++;
    this.#allHeldBelow = port;
    return port;
  }

  /** How many apps hold the (non-zero) service port. */
  servicePortHolders(port: number): number {
    return this.#portHolders.get(port) ?? 0;
  }

  override get(appId: string): AppDefinition | undefined {
    return this.#records.get(appId);
  }

  override has(appId: string): boolean {
    return this.#records.has(appId);
  }

  override get size(): number {
    return this.#records.size;
  }

  override set(appId: string, app: AppDefinition): this {
    this.#records.set(appId, app);
    this.#instances.set(appId, app.instances);
    this.#recheck(appId);
    this.#holdPorts(
      appId,
      app.portDefinitions.flatMap((definition) => (definition.port !== 0 ? [definition.port] : [])),
    );
    return this;
  }

  override delete(appId: string): boolean {
    this.#instances.delete(appId);
    this.#short.delete(appId);
    this.#holdPorts(appId, []);
    return this.#records.delete(appId);
  }

  #watch(tasks: TaskTable): void {
    this.#tasks = tasks;
    tasks.watchActiveCounts((appId) => this.#recheck(appId));
  }

  #recheck(appId: string): void {
    if (!this.#tasks) return;
    const instances = this.#instances.get(appId);
    if (instances !== undefined && instances > this.#tasks.activeCount(appId)) this.#short.add(appId);
    else this.#short.delete(appId);
  }

  /** The app now holds `ports`: what it held before (as indexed, whatever was changed in place) is released. */
  #holdPorts(appId: string, ports: readonly number[]): void {
    for (const port of this.#portsOf.get(appId) ?? []) {
      const left = (this.#portHolders.get(port) ?? 0) - 1;
      if (left > 0) this.#portHolders.set(port, left);
      else {
        this.#portHolders.delete(port);
        if (port >= SERVICE_PORT_MIN) this.#allHeldBelow = Math.min(this.#allHeldBelow, port);
      }
    }
    for (const port of ports) this.#portHolders.set(port, (this.#portHolders.get(port) ?? 0) + 1);
    if (ports.length > 0) this.#portsOf.set(appId, ports);
    else this.#portsOf.delete(appId);
  }

  override clear(): void {
    for (const id of [...this.#records.keys()]) this.delete(id);
  }

  override entries(): MapIterator<[string, AppDefinition]> {
    return this.#records.entries();
  }

  override keys(): MapIterator<string> {
    return this.#records.keys();
  }

  override values(): MapIterator<AppDefinition> {
    return this.#records.values();
  }

  override [Symbol.iterator](): MapIterator<[string, AppDefinition]> {
    return this.#records.entries();
  }

  override forEach(
    callback: (app: AppDefinition, id: string, map: Map<string, AppDefinition>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, app] of this.#records) callback.call(thisArg, app, id, this);
  }
}
