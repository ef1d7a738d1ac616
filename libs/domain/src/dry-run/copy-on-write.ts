/**
 * A Map that reads through to a base map and keeps its own changes apart, so it is made in O(1)
 * and costs O(changes), whatever the base's size. It behaves as `new Map(base)` would, insertion
 * order included (a changed key keeps its place, a new or re-added one goes last). The base must
 * not change while the overlay is in use (a dry run is one synchronous decision).
 *
 *   live base keys = base − deleted;   entries = (live base keys, overridden or not) ++ added
 */
export class CopyOnWriteMap<K, V> extends Map<K, V> {
  private readonly overrides = new Map<K, V>();
  private readonly deleted = new Set<K>();
  /** Keys not live in the base (new, or deleted from the base and set again), in insertion order. */
  private readonly added = new Map<K, V>();

  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }

  private inBase(key: K): boolean {
    return !(this.deleted.size > 0 && this.deleted.has(key)) && this.base.has(key);
  }

  override get(key: K): V | undefined {
    if (this.added.size > 0 && this.added.has(key)) return this.added.get(key);
    if (this.deleted.size > 0 && this.deleted.has(key)) return undefined;
    if (this.overrides.size > 0 && this.overrides.has(key)) return this.overrides.get(key);
    return this.base.get(key);
  }

  override has(key: K): boolean {
    return (this.added.size > 0 && this.added.has(key)) || this.inBase(key);
  }

  override set(key: K, value: V): this {
    if (!this.added.has(key) && this.inBase(key)) this.overrides.set(key, value);
    else this.added.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    if (this.added.delete(key)) return true;
    if (!this.inBase(key)) return false;
    this.deleted.add(key);
    this.overrides.delete(key);
    return true;
  }

  override clear(): void {
    for (const key of this.base.keys()) this.deleted.add(key);
    this.overrides.clear();
    this.added.clear();
  }

  override get size(): number {
    return this.base.size - this.deleted.size + this.added.size;
  }

  // One generator each, not values() over entries(): a tick iterates 10,000 deployments of a fork.
  // Changes made while iterating are seen as a Map's would be (the checks are made per entry).
  override *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.base) {
      if (this.deleted.size > 0 && this.deleted.has(key)) continue;
      yield [key, this.overrides.size > 0 && this.overrides.has(key) ? (this.overrides.get(key) as V) : value];
    }
    yield* this.added;
  }

  override *keys(): MapIterator<K> {
    for (const key of this.base.keys()) {
      if (this.deleted.size > 0 && this.deleted.has(key)) continue;
      yield key;
    }
    yield* this.added.keys();
  }

  override *values(): MapIterator<V> {
    for (const [key, value] of this.base) {
      if (this.deleted.size > 0 && this.deleted.has(key)) continue;
      yield this.overrides.size > 0 && this.overrides.has(key) ? (this.overrides.get(key) as V) : value;
    }
    yield* this.added.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

/** The Set counterpart of CopyOnWriteMap (same rules, values only). */
export class CopyOnWriteSet<T> extends Set<T> {
  private readonly map: CopyOnWriteMap<T, T>;

  constructor(base: ReadonlySet<T>) {
    super();
    this.map = new CopyOnWriteMap<T, T>(new SetAsMap(base));
  }

  override has(value: T): boolean {
    return this.map.has(value);
  }

  override add(value: T): this {
    if (!this.map.has(value)) this.map.set(value, value);
    return this;
  }

  override delete(value: T): boolean {
    return this.map.delete(value);
  }

  override clear(): void {
    this.map.clear();
  }

  override get size(): number {
    return this.map.size;
  }

  override *values(): SetIterator<T> {
    yield* this.map.keys();
  }

  override keys(): SetIterator<T> {
    return this.values();
  }

  override *entries(): SetIterator<[T, T]> {
    for (const value of this.map.keys()) yield [value, value];
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  override forEach(callback: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const value of this.map.keys()) callback.call(thisArg, value, value, this);
  }
}

/** A read-only Map view of a Set (value -> value), without copying it. */
class SetAsMap<T> implements ReadonlyMap<T, T> {
  constructor(private readonly set: ReadonlySet<T>) {}
  get size(): number {
    return this.set.size;
  }
  get(key: T): T | undefined {
    return this.set.has(key) ? key : undefined;
  }
  has(key: T): boolean {
    return this.set.has(key);
  }
  forEach(callback: (value: T, key: T, map: ReadonlyMap<T, T>) => void): void {
    for (const value of this.set) callback(value, value, this);
  }
  *entries(): MapIterator<[T, T]> {
    for (const value of this.set) yield [value, value];
  }
  keys(): MapIterator<T> {
    return this.set.values();
  }
  values(): MapIterator<T> {
    return this.set.values();
  }
  [Symbol.iterator](): MapIterator<[T, T]> {
    return this.entries();
  }
}
