import { CopyOnWriteMap, CopyOnWriteSet } from '../dry-run/copy-on-write';
import { fromMilli, toMilli } from '../resources/fixed-point';
import type { Resources } from '../resources';
import type { AgentRecord } from '../state';

/**
 * The state's agents by id, with what a tick asks of every agent kept up to date as records are
 * set, so a tick on 5,000 agents reads the few that are not ACTIVE or are in maintenance instead
 * of walking them all (each walk of 5,000 records cost a tick about a millisecond):
 *
 * - the agents whose status is not ACTIVE (unreachable checks and timers);
 * - the agents in maintenance (draining or drained);
 * - the ids in id order (the allocator's order; rebuilt only when an agent joins or leaves);
 * - Σ of every agent's cpus, mem and disk (the cluster's total, which DRF shares divide by).
 *
 * Like the task and app tables (tasks/task-table.ts) it is a Map, and the indexes are a pure
 * function of its entries: not hashed, not in snapshots, copy-on-write in a fork. The two small
 * sets are read in the table's order (the order a walk of the Map would give), through the rank
 * each agent got when it joined: a table filled from a snapshot ranks them in the same order.
 * Records are never changed in place: every change is a `set` of a new record (evolveAgent,
 * evolveDrain).
 */
export class AgentTable extends Map<string, AgentRecord> {
  #records: Map<string, AgentRecord>;
  /** Order of joining the table: the Map's iteration order, as numbers. */
  #rank: Map<string, number>;
  #nextRank: number;
  #notActive: Set<string>;
  #inMaintenance: Set<string>;
  /** Ids in id order; null when an agent joined or left since it was last built. Never mutated. */
  #idOrder: readonly string[] | null;
  /** Σ cpus, mem, disk of every agent, in thousandths (exact under add and subtract). */
  #totalMilli: { cpus: number; mem: number; disk: number };
  /**
   * Replaced when an agent joins or leaves, or its attributes or maintenance change: what a memo
   * of results that read those keys on (deployment buckets: kill order by attributes, tasks on
   * agents in maintenance). Not replaced by a status change: 5,000 agents re-registering after a
   * stall must not make every tick reconcile every deployment again.
   */
  #stamp: object = {};

  constructor(entries?: Iterable<readonly [string, AgentRecord]>, base?: AgentTable) {
    super();
    if (base) {
      this.#records = new CopyOnWriteMap(base.#records);
      this.#rank = new CopyOnWriteMap(base.#rank);
      this.#nextRank = base.#nextRank;
      this.#notActive = new CopyOnWriteSet(base.#notActive);
      this.#inMaintenance = new CopyOnWriteSet(base.#inMaintenance);
      this.#idOrder = base.#idOrder;
      this.#totalMilli = { ...base.#totalMilli };
      this.#stamp = base.#stamp;
    } else {
      this.#records = new Map();
      this.#rank = new Map();
      this.#nextRank = 0;
      this.#notActive = new Set();
      this.#inMaintenance = new Set();
      this.#idOrder = null;
      this.#totalMilli = { cpus: 0, mem: 0, disk: 0 };
    }
    if (entries) for (const [id, agent] of entries) this.set(id, agent);
  }

  /** A copy-on-write table over this one: O(1); this one must not change while the fork is used. */
  fork(): AgentTable {
    return new AgentTable(undefined, this);
  }

  // ---- indexes ------------------------------------------------------------------------------

  /** Agents whose status is not ACTIVE (disconnected, unreachable), in the table's order. */
  notActive(): AgentRecord[] {
    return this.#inTableOrder(this.#notActive);
  }

  /** How many agents are ACTIVE. */
  get activeCount(): number {
    return this.#records.size - this.#notActive.size;
  }

  /** Whether the agent is known and ACTIVE, without reading its record. */
  isActive(agentId: string): boolean {
    return !this.#notActive.has(agentId) && this.#records.has(agentId);
  }

  /** Agents in maintenance (draining or drained), in the table's order. */
  inMaintenance(): AgentRecord[] {
    return this.#inTableOrder(this.#inMaintenance);
  }

  /** Every agent id, in id order (the allocator's). */
  idsInOrder(): readonly string[] {
    this.#idOrder ??= [...this.#records.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.#idOrder;
  }

  /** See #stamp: the same object while no agent joined, left, or changed attributes or maintenance. */
  get attributesAndDrainStamp(): object {
    return this.#stamp;
  }

  /** Σ cpus, mem and disk of every agent (ports are not a scalar). */
  totalScalars(): Resources {
    const { cpus, mem, disk } = this.#totalMilli;
    return { cpus: fromMilli(cpus), mem: fromMilli(mem), disk: fromMilli(disk), ports: [] };
  }

  /** The indexes as plain data (what a test compares with a table built afresh from the entries). */
  describeIndexes(): AgentIndexes {
    return {
      notActive: this.notActive().map((a) => a.agentId),
      inMaintenance: this.inMaintenance().map((a) => a.agentId),
      idsInOrder: [...this.idsInOrder()],
      totalScalars: this.totalScalars(),
    };
  }

  // ---- Map ----------------------------------------------------------------------------------

  override get(agentId: string): AgentRecord | undefined {
    return this.#records.get(agentId);
  }

  override has(agentId: string): boolean {
    return this.#records.has(agentId);
  }

  override get size(): number {
    return this.#records.size;
  }

  override set(agentId: string, agent: AgentRecord): this {
    const previous = this.#records.get(agentId);
    if (!previous || previous.drain !== agent.drain || !sameAttributes(previous.attributes, agent.attributes)) {
      this.#stamp = {};
    }
    if (previous) {
      this.#addTotal(previous, -1);
    } else {
      this.#rank.set(agentId, this.#nextRank++);
      this.#idOrder = null;
    }
    this.#records.set(agentId, agent);
    this.#addTotal(agent, 1);
    if (agent.status !== 'ACTIVE') this.#notActive.add(agentId);
    else this.#notActive.delete(agentId);
    if (agent.drain) this.#inMaintenance.add(agentId);
    else this.#inMaintenance.delete(agentId);
    return this;
  }

  override delete(agentId: string): boolean {
    const previous = this.#records.get(agentId);
    if (!previous) return false;
    this.#stamp = {};
    this.#addTotal(previous, -1);
    this.#rank.delete(agentId);
    this.#notActive.delete(agentId);
    this.#inMaintenance.delete(agentId);
    this.#idOrder = null;
    return this.#records.delete(agentId);
  }

  override clear(): void {
    for (const id of [...this.#records.keys()]) this.delete(id);
  }

  override entries(): MapIterator<[string, AgentRecord]> {
    return this.#records.entries();
  }

  override keys(): MapIterator<string> {
    return this.#records.keys();
  }

  override values(): MapIterator<AgentRecord> {
    return this.#records.values();
  }

  override [Symbol.iterator](): MapIterator<[string, AgentRecord]> {
    return this.#records.entries();
  }

  override forEach(
    callback: (agent: AgentRecord, id: string, map: Map<string, AgentRecord>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, agent] of this.#records) callback.call(thisArg, agent, id, this);
  }

  #inTableOrder(ids: ReadonlySet<string>): AgentRecord[] {
    if (ids.size === 0) return [];
    return [...ids].sort((a, b) => this.#rank.get(a)! - this.#rank.get(b)!).map((id) => this.#records.get(id)!);
  }

  #addTotal(agent: AgentRecord, sign: 1 | -1): void {
    this.#totalMilli.cpus += sign * toMilli(agent.resources.cpus);
    this.#totalMilli.mem += sign * toMilli(agent.resources.mem);
    this.#totalMilli.disk += sign * toMilli(agent.resources.disk);
  }
}

/** AgentTable's indexes as plain data (see describeIndexes). */
export interface AgentIndexes {
  readonly notActive: readonly string[];
  readonly inMaintenance: readonly string[];
  readonly idsInOrder: readonly string[];
  readonly totalScalars: Resources;
}

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key] && Object.prototype.hasOwnProperty.call(b, key));
}
