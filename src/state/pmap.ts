const BUCKETS = 32;

/**
 * A persistent map from integer keys: 32 buckets, and a change copies only the bucket it touches, so
 * that states with hundreds of processes stay cheap to derive and to keep as keyframes.
 */
export class PMap<V> implements Iterable<[number, V]> {
  private constructor(
    private readonly buckets: readonly ReadonlyMap<number, V>[],
    /** Number of entries. */
    readonly size: number,
  ) {}

  /** The empty map. */
  static empty<V>(): PMap<V> {
    const b = new Map<number, V>();
    return new PMap<V>(Array.from({ length: BUCKETS }, () => b), 0);
  }

  /** The value of `k`, or undefined. */
  get(k: number): V | undefined {
    return this.buckets[bucketOf(k)].get(k);
  }

  /** True when `k` is present. */
  has(k: number): boolean {
    return this.buckets[bucketOf(k)].has(k);
  }

  /** Every key. */
  *keys(): IterableIterator<number> {
    for (const b of this.buckets) yield* b.keys();
  }

  /** Every value. */
  *values(): IterableIterator<V> {
    for (const b of this.buckets) yield* b.values();
  }

  /** Every entry. */
  *[Symbol.iterator](): IterableIterator<[number, V]> {
    for (const b of this.buckets) yield* b.entries();
  }

  /** A batch of changes: buckets are copied once per batch; done() returns the new map. */
  edit(): PMapEditor<V> {
    return new PMapEditor<V>(this.buckets, this.size, (b, n) => new PMap<V>(b, n));
  }
}

/** Changes to a PMap, applied in place to private copies of the touched buckets. */
export class PMapEditor<V> {
  private buckets: (ReadonlyMap<number, V> | Map<number, V>)[];
  private owned = new Set<number>();
  private changed = false;

  constructor(
    base: readonly ReadonlyMap<number, V>[],
    private count: number,
    private readonly make: (b: readonly ReadonlyMap<number, V>[], n: number) => PMap<V>,
  ) {
    this.buckets = [...base];
  }

  private own(i: number): Map<number, V> {
    if (!this.owned.has(i)) {
      this.buckets[i] = new Map(this.buckets[i]);
      this.owned.add(i);
    }
    this.changed = true;
    return this.buckets[i] as Map<number, V>;
  }

  /** The current value of `k`. */
  get(k: number): V | undefined {
    return this.buckets[bucketOf(k)].get(k);
  }

  /** Sets `k`. */
  set(k: number, v: V): void {
    const b = this.own(bucketOf(k));
    if (!b.has(k)) this.count++;
    b.set(k, v);
  }

  /** Removes `k`. */
  delete(k: number): void {
    const i = bucketOf(k);
    if (!this.buckets[i].has(k)) return;
    this.own(i).delete(k);
    this.count--;
  }

  /** Current entries (for scans during the batch). */
  *values(): IterableIterator<V> {
    for (const b of this.buckets) yield* b.values();
  }

  /** Number of entries now. */
  get size(): number {
    return this.count;
  }

  /** True when anything changed. */
  get dirty(): boolean {
    return this.changed;
  }

  /** The map with the changes. */
  done(): PMap<V> {
    return this.make(this.buckets, this.count);
  }
}

function bucketOf(k: number): number {
  return ((k % BUCKETS) + BUCKETS) % BUCKETS;
}
