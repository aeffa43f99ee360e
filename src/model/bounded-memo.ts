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

/**
 * The value of `compute(key)`, computed on the first call per key object and kept as long as the key
 * (per-document and per-model-object memos: they go with the synth that made their key).
 */
export function oncePer<K extends object, V>(memo: WeakMap<K, V>, key: K, compute: (key: K) => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = compute(key);
    memo.set(key, value);
  }
  return value;
}
