/** A small least-recently-used map, so caches keyed by content stay bounded over long sessions. */
export class LruCache<V> {
  private readonly byKey = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.byKey.get(key);
    if (value !== undefined) {
      this.byKey.delete(key);
      this.byKey.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.byKey.delete(key);
    this.byKey.set(key, value);
    while (this.byKey.size > this.capacity) this.byKey.delete(this.byKey.keys().next().value as string);
  }

  /** Least recently used first. */
  entries(): [string, V][] {
    return [...this.byKey.entries()];
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  get size(): number {
    return this.byKey.size;
  }
}
