/**
 * Replacing an agent's nftables table without a window, in two transactions: first every set whose
 * elements changed is built beside the running one under a new name (`<name>_g<generation>`), then
 * one transaction rewrites the chains to look those up and deletes what they replace.
 *
 * Why not one transaction (`delete table` + the new table, as kube-proxy does), and why not
 * `delete element`/`add element` in place:
 *
 * - Kernel quirk (nf_tables_commit, seen on 6.18): the new generation becomes live before sets with a
 *   commit step (pipapo: concatenations and intervals) publish the elements added in the same
 *   transaction (`nft_set_commit_update` runs after the generation switch). For that moment a new rule
 *   looks up an empty set: a table replaced in one transaction dropped established, allowed packets
 *   (and counted them as denied). Single-field interval sets did the same here (9 of 11,884 packets
 *   over 20 replacements; pipapo 24 of 19,287). A set filled by an earlier transaction has no such moment.
 * - Kernel quirk (nft_pipapo_remove, 6.18): deleting an element walks every rule before it and
 *   rebuilds each rule's bounds from the lookup tables, so its cost grows with the element's position.
 *   Elements added in place go last: with 10,000 prefixes, deleting 100 that an earlier change added
 *   took 2.9-3.2 s of kernel time (PREEMPT_NONE: a CPU lost to everything else for that long), the
 *   original first 100 took 70 ms. Building a set afresh costs what loading the table costs.
 *
 * Counters are named objects that survive the chains' rewrite (declaring an existing one keeps its
 * values): agent restarts and allow-list changes do not reset the metrics.
 */

/** A named set of a table: its nft type, whether it holds intervals, and its elements. */
export interface NftSet { readonly type: string; readonly interval: boolean; readonly elements: readonly string[] }

/** A table as the agents describe it: its sets, the counters it declares, and the rest as text. */
export interface NftRuleset {
  readonly family: string;
  readonly table: string;
  /** By the name the rules use; the kernel holds each under a generation name (`ref`). */
  readonly sets: ReadonlyMap<string, NftSet>;
  readonly counters: readonly string[];
  readonly chains: readonly string[];
  /** Counters and chains (`table` block lines), each set referred to as `ref(name)` (`@name_g7`). */
  body(ref: (set: string) => string): string;
}

/** The names the kernel's copy of a table holds (`nft -j -t list table`). */
export interface NftTableObjects { readonly sets: string[]; readonly chains: string[]; readonly counters: string[] }

/** What the agent last put in the table: the ruleset and each set's kernel name. */
export interface AppliedTable { readonly ruleset: NftRuleset; readonly names: ReadonlyMap<string, string> }

/** The kernel's objects after `applied` went in (the table is the agent's alone: no need to list it). */
export function objectsOf(applied: AppliedTable): NftTableObjects {
  return { sets: [...applied.names.values()], chains: [...applied.ruleset.chains], counters: [...applied.ruleset.counters] };
}

export interface TableSwap {
  /** First transaction: the new sets, filled; undefined when every set is reused. */
  readonly stage?: string;
  /** Second transaction: chains rewritten onto the new sets; replaced sets and stale objects deleted. */
  readonly swap: string;
  readonly applied: AppliedTable;
  /** Sets rebuilt (by rule name), and elements added/removed compared with what was known. */
  readonly staged: string[];
  readonly added: number;
  readonly removed: number;
}

export function renderNftSet(name: string, set: NftSet, indent = '  '): string[] {
  const L = [`${indent}set ${name} {`, `${indent}  type ${set.type}`];
  if (set.interval) L.push(`${indent}  flags interval`);
  if (set.elements.length) L.push(`${indent}  elements = { ${set.elements.join(', ')} }`);
  L.push(`${indent}}`);
  return L;
}

const GENERATION = /_g(\d+)$/;

/**
 * Pure: the two transactions that turn the kernel's table (`existing`, undefined without one) into
 * `desired`. A set is reused only when `known` (what this process applied, undefined after a restart or
 * a failure) says the kernel's copy holds exactly the desired elements. Undefined: nothing to do.
 */
export function planTableSwap(desired: NftRuleset, existing: NftTableObjects | undefined, known: AppliedTable | undefined): TableSwap | undefined {
  const t = `${desired.family} ${desired.table}`;
  const have = existing ?? { sets: [], chains: [], counters: [] };
  const generation = 1 + Math.max(0, ...[...have.sets, ...(known?.names.values() ?? [])].map((n) => Number(GENERATION.exec(n)?.[1] ?? 0)));
  const names = new Map<string, string>();
  const staged: string[] = [];
  let added = 0;
  let removed = 0;
  for (const [name, set] of desired.sets) {
    const kernelName = known?.names.get(name);
    const before = known?.ruleset.sets.get(name);
    if (kernelName && before && have.sets.includes(kernelName) && sameSet(before, set)) {
      names.set(name, kernelName);
      continue;
    }
    names.set(name, `${name}_g${generation}`);
    staged.push(name);
    const old = new Set(before?.elements ?? []);
    const now = new Set(set.elements);
    added += set.elements.filter((e) => !old.has(e)).length;
    removed += [...old].filter((e) => !now.has(e)).length;
  }
  const ref = (set: string) => `@${names.get(set) ?? set}`;
  const body = desired.body(ref);
  const keep = new Set(names.values());
  const orphans = have.sets.filter((s) => !keep.has(s));
  if (known && staged.length === 0 && orphans.length === 0 && body === known.ruleset.body((s) => `@${known.names.get(s) ?? s}`)) return undefined;

  const stage = staged.length
    ? [`table ${t} {`, ...staged.flatMap((n) => renderNftSet(names.get(n)!, desired.sets.get(n)!)), '}', ''].join('\n')
    : undefined;
  const wanted = new Set(desired.counters);
  const swap = [
    `table ${t} {}`,
    // Every chain is emptied before any is deleted: a jump or vmap into a chain keeps it in use.
    ...have.chains.map((c) => `flush chain ${t} ${c}`),
    ...have.chains.map((c) => `delete chain ${t} ${c}`),
    ...orphans.map((s) => `delete set ${t} ${s}`),
    ...have.counters.filter((c) => !wanted.has(c)).map((c) => `delete counter ${t} ${c}`),
    `table ${t} {`, body.replace(/\n$/, ''), '}', '',
  ].join('\n');
  return { stage, swap, applied: { ruleset: desired, names }, staged, added, removed };
}

function sameSet(a: NftSet, b: NftSet): boolean {
  const mine = new Set(a.elements);
  return a.type === b.type && a.interval === b.interval && mine.size === new Set(b.elements).size && b.elements.every((e) => mine.has(e));
}
