import { renderSetDelta, setDelta } from './nft-set-delta';

/**
 * Changing an agent's nftables table without a window, in at most two transactions. Interval and
 * concatenated-range sets whose elements changed are built beside the running one under a new name
 * (`<name>_g<generation>`) in a first transaction; then one transaction refills the chains (flushed and
 * declared again, so a chain a map entry jumps to is never deleted while wanted), edits the hash sets and
 * maps whose elements changed in place (nft-set-delta.ts), and deletes what is no longer wanted.
 *
 * Why not one transaction (`delete table` + the new table, as kube-proxy does), and why interval sets are
 * never edited in place:
 *
 * - Kernel quirk (nf_tables_commit, seen on 6.18): the new generation becomes live before sets with a
 *   commit step (pipapo: concatenations and intervals) publish the elements added in the same
 *   transaction (`nft_set_commit_update` runs after the generation switch). For that moment a new rule
 *   looks up an empty set: a table replaced in one transaction dropped established, allowed packets
 *   (and counted them as denied). Single-field interval sets did the same here (9 of 11,884 packets
 *   over 20 replacements; pipapo 24 of 19,287). A set filled by an earlier transaction has no such moment.
 * - Kernel quirk (nft_pipapo_remove, 6.18): deleting an element walks every rule before it and
 *   rebuilds each rule's bounds from the lookup tables, so its cost grows with the element's position.
 *   Elements added in place go last: with 10,000 prefixes, deleting 100 that an earlier change had added
 *   took 2.9-3.2 s of kernel time (PREEMPT_NONE: a CPU lost to everything else for that long).
 *   Hash sets have neither problem: the agents keep their large, often changed lists in hash maps
 *   (gateway: allow-list-maps.ts) and only small, rarely changed ones in interval sets.
 *
 * Counters are named objects that survive the chains' rewrite (declaring an existing one keeps its
 * values): agent restarts and allow-list changes do not reset the metrics.
 */

/**
 * A named set of a table: its nft type (a map's is `key : value`), whether it holds intervals, and its
 * elements (a map's as `key : value`). Without intervals it is a hash set, changed in place.
 */
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
  /** First transaction: the rebuilt sets, filled; undefined when no set is rebuilt. */
  readonly stage?: string;
  /** Second transaction: chains refilled onto the sets, hash sets edited in place, stale objects deleted. */
  readonly swap: string;
  readonly applied: AppliedTable;
  /** Sets rebuilt beside the running ones, and hash sets edited in place (by rule name). */
  readonly staged: string[];
  readonly edited: string[];
  /** Elements added/removed compared with what was known. */
  readonly added: number;
  readonly removed: number;
}

export function renderNftSet(name: string, set: NftSet, indent = '  '): string[] {
  const L = [`${indent}${set.type.includes(' : ') ? 'map' : 'set'} ${name} {`, `${indent}  type ${set.type}`];
  if (set.interval) L.push(`${indent}  flags interval`);
  if (set.elements.length) L.push(`${indent}  elements = { ${set.elements.join(', ')} }`);
  L.push(`${indent}}`);
  return L;
}

const GENERATION = /_g(\d+)$/;

/**
 * Pure: the transactions that turn the kernel's table (`existing`, undefined without one) into
 * `desired`. A set is reused (and a hash set edited in place) only when `known` (what this process
 * applied, undefined after a restart or a failure) says what the kernel's copy holds. Undefined: nothing to do.
 */
export function planTableSwap(desired: NftRuleset, existing: NftTableObjects | undefined, known: AppliedTable | undefined): TableSwap | undefined {
  const t = `${desired.family} ${desired.table}`;
  const have = existing ?? { sets: [], chains: [], counters: [] };
  const generation = 1 + Math.max(0, ...[...have.sets, ...(known?.names.values() ?? [])].map((n) => Number(GENERATION.exec(n)?.[1] ?? 0)));
  const names = new Map<string, string>();
  const staged: string[] = [];
  const edited: string[] = [];
  const edits: string[] = [];
  let added = 0;
  let removed = 0;
  for (const [name, set] of desired.sets) {
    const kernelName = known?.names.get(name);
    const before = known?.ruleset.sets.get(name);
    if (kernelName && before && have.sets.includes(kernelName) && before.type === set.type && before.interval === set.interval) {
      if (sameSet(before, set)) {
        names.set(name, kernelName);
        continue;
      }
      if (!set.interval) {
        const d = setDelta(before.elements, set.elements);
        names.set(name, kernelName);
        edited.push(name);
        edits.push(...renderSetDelta(t, kernelName, d));
        added += d.add.length;
        removed += d.remove.length;
        continue;
      }
    }
    names.set(name, `${name}_g${generation}`);
    staged.push(name);
    const old = new Set(before?.elements ?? []);
    const now = new Set(set.elements);
    added += set.elements.filter((e) => !old.has(e)).length;
    removed += [...old].filter((e) => !now.has(e)).length;
  }
  // A set no longer wanted (a prefix length gone) takes its elements with it.
  for (const [name, set] of known?.ruleset.sets ?? []) if (!desired.sets.has(name)) removed += set.elements.length;
  const ref = (set: string) => `@${names.get(set) ?? set}`;
  const body = desired.body(ref);
  const keep = new Set(names.values());
  const orphans = have.sets.filter((s) => !keep.has(s));
  if (known && staged.length === 0 && edits.length === 0 && orphans.length === 0 && body === known.ruleset.body((s) => `@${known.names.get(s) ?? s}`)) return undefined;

  // A rebuilt map's entries may jump to chains the kernel does not have yet: declared (empty) first.
  const targets = [...new Set(staged.flatMap((n) => desired.sets.get(n)!.elements.map((e) => / : (?:jump|goto) (\S+)$/.exec(e)?.[1])))]
    .filter((c): c is string => !!c && !have.chains.includes(c));
  const stage = staged.length
    ? [`table ${t} {`, ...targets.map((c) => `  chain ${c} {\n  }`), ...staged.flatMap((n) => renderNftSet(names.get(n)!, desired.sets.get(n)!)), '}', ''].join('\n')
    : undefined;
  const wantedChains = new Set(desired.chains);
  const wanted = new Set(desired.counters);
  const swap = [
    `table ${t} {}`,
    // Every chain is emptied first (a rule's jump keeps a chain in use), then the wanted ones are declared again.
    ...have.chains.map((c) => `flush chain ${t} ${c}`),
    `table ${t} {`, body.replace(/\n$/, ''), '}',
    ...edits,
    // Stale chains last: once no rule and no map entry (of an edited or deleted map) jumps to them.
    ...orphans.map((s) => `delete set ${t} ${s}`),
    ...have.chains.filter((c) => !wantedChains.has(c)).map((c) => `delete chain ${t} ${c}`),
    ...have.counters.filter((c) => !wanted.has(c)).map((c) => `delete counter ${t} ${c}`),
    '',
  ].join('\n');
  return { stage, swap, applied: { ruleset: desired, names }, staged, edited, added, removed };
}

function sameSet(a: NftSet, b: NftSet): boolean {
  const mine = new Set(a.elements);
  return a.type === b.type && a.interval === b.interval && mine.size === new Set(b.elements).size && b.elements.every((e) => mine.has(e));
}
