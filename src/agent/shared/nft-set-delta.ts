/**
 * Changing a hash set or map of a running table in place: the elements that left are deleted and the
 * ones that came are added, in the same transaction as the rules (nft-table-swap.ts).
 *
 * Only for sets without intervals or concatenated ranges (the kernel's hash backend): its elements carry
 * a generation mask that the transaction's commit flips for all of them at once, it has no commit step
 * that publishes them later (pipapo and the 6.18 rbtree do), and adding or deleting an element costs the
 * same whatever the set's size and whatever was added or deleted before. A map entry whose value changed
 * is deleted and added again in the same transaction (the kernel allows both on one key).
 */
export interface SetDelta {
  /** Keys to delete (for a map: the part before ` : `). */
  readonly remove: string[];
  /** Elements to add, as written in the set (`key` or `key : value`). */
  readonly add: string[];
}

/** The key of a set element or map entry (`10.0.0.0 : jump c1` → `10.0.0.0`). */
export function elementKey(element: string): string {
  const i = element.indexOf(' : ');
  return i < 0 ? element : element.slice(0, i);
}

export function setDelta(before: readonly string[], after: readonly string[]): SetDelta {
  const had = new Map(before.map((e) => [elementKey(e), e]));
  const has = new Map(after.map((e) => [elementKey(e), e]));
  return {
    remove: [...had].filter(([k, e]) => has.get(k) !== e).map(([k]) => k),
    add: [...has].filter(([k, e]) => had.get(k) !== e).map(([, e]) => e),
  };
}

/** The statements of `delta` on set `name` of table `t` ("inet cdk8s_egress_gw"); deletes first. */
export function renderSetDelta(t: string, name: string, delta: SetDelta): string[] {
  return [
    ...(delta.remove.length ? [`delete element ${t} ${name} { ${delta.remove.join(', ')} }`] : []),
    ...(delta.add.length ? [`add element ${t} ${name} { ${delta.add.join(', ')} }`] : []),
  ];
}
