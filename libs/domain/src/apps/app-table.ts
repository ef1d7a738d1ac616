import type { AppDefinition } from '@cairn/events';
import { CopyOnWriteMap } from '../dry-run/copy-on-write';

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
  /** How many apps hold each non-zero service port, and which ports each app was indexed with. */
  #portHolders: Map<number, number>;
  #portsOf: Map<string, readonly number[]>;

  constructor(entries?: Iterable<readonly [string, AppDefinition]>, base?: AppTable) {
    super();
    this.#records = base ? new CopyOnWriteMap(base.#records) : new Map();
    this.#instances = base ? new CopyOnWriteMap(base.#instances) : new Map();
    this.#portHolders = base ? new CopyOnWriteMap(base.#portHolders) : new Map();
    this.#portsOf = base ? new CopyOnWriteMap(base.#portsOf) : new Map();
    if (entries) for (const [id, app] of entries) this.set(id, app);
  }

  /** A copy-on-write table over this one: O(1); this one must not change while the fork is used. */
  fork(): AppTable {
    return new AppTable(undefined, this);
  }

  /** Every app's `instances`, by id, in the table's order. */
  instances(): ReadonlyMap<string, number> {
    return this.#instances;
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
    this.#holdPorts(
      appId,
      app.portDefinitions.flatMap((definition) => (definition.port !== 0 ? [definition.port] : [])),
    );
    return this;
  }

  override delete(appId: string): boolean {
    this.#instances.delete(appId);
    this.#holdPorts(appId, []);
    return this.#records.delete(appId);
  }

  /** The app now holds `ports`: what it held before (as indexed, whatever was changed in place) is released. */
  #holdPorts(appId: string, ports: readonly number[]): void {
    for (const port of this.#portsOf.get(appId) ?? []) {
      const left = (this.#portHolders.get(port) ?? 0) - 1;
      if (left > 0) this.#portHolders.set(port, left);
      else this.#portHolders.delete(port);
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
