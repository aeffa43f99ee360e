/**
 * Values computed once per key and shared (parsed selectors, port models, rendered port groups, YAML texts):
 * a large estate asks for the same few keys hundreds of thousands of times. Bounded: when full it starts over,
 * so a long-running process that synthesizes many apps does not keep every key it ever saw. Values must be
 * immutable, since every caller gets the same one. Internal: not exported from the package root.
 */
export class BoundedMemo<K, V> {
  private readonly values = new Map<K, V>();

  /** @param limit the number of keys kept before the memo starts over */
  constructor(private readonly limit: number) {}

  /** The value remembered for `key`, if any. */
  public get(key: K): V | undefined {
    return this.values.get(key);
  }

  /** Remembers `value` for `key` and returns it (`memo.get(k) ?? memo.set(k, compute())`). */
  public set(key: K, value: V): V {
    if (this.values.size >= this.limit) this.values.clear();
    this.values.set(key, value);
    return value;
  }
}
