/**
 * A least-recently-used cache of hot words, with hit / miss counters. A JS Map keeps
 * insertion order, so "move to most recent" is delete + set and the oldest entry is the
 * first key: O(1) per operation, no linked list to maintain.
 */

export interface CacheStats {
  /** Lookups answered from the cache. */
  hits: number;
  /** Lookups that had to go to the backend. */
  misses: number;
  /** Entries dropped to stay within capacity. */
  evictions: number;
  /** Entries now held. */
  size: number;
  capacity: number;
}

export class LruCache<V> {
  private readonly map = new Map<string, V>();
  hits = 0;
  misses = 0;
  evictions = 0;

  /**
   * @param capacity maximum entries; 0 disables caching (every get is a miss)
   */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`cache capacity must be an integer >= 0, got ${capacity}`);
  }

  /** The value for key (marking it most recent), or undefined; counts a hit or a miss. */
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** Stores key -> value as most recent, evicting the least recent entries beyond capacity. */
  set(key: string, value: V): void {
    if (this.capacity === 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evictions++;
    }
  }

  /** True when key is cached (does not count or reorder). */
  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** Drops every entry (counters are kept). */
  clear(): void {
    this.map.clear();
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, size: this.map.size, capacity: this.capacity };
  }
}
