/**
 * Address aggregation, ours vs cidr-tools, side by side in one process:
 *   aggregate-run.ts <prefixes> <runs>
 * Prints one JSON line: median times (ms) of CidrAggregator.aggregate (keeps descriptions), CidrAggregator.merge
 * (text only, like cidr-tools) and cidr-tools mergeCidr, their ratios (medians of per-run ratios), and whether
 * the two results are the same CIDR set.
 */
import { performance } from 'perf_hooks';
import { generateRanges } from './ranges';
import { CidrAggregator } from '../src/model/cidr-aggregation';

// cidr-tools is ESM-only: a real dynamic import (TypeScript would turn `import()` into require()).
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<any>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const runs = Number(process.argv[3] ?? 7);
  const { mergeCidr } = await importEsm('cidr-tools');
  const entries = generateRanges(n);
  const texts = entries.map(e => e.cidr);

  // Warm-up (JIT) for both, then alternate so drift affects both alike.
  CidrAggregator.aggregate(entries);
  mergeCidr(texts);
  const ours: number[] = [];
  const oursMerge: number[] = [];
  const theirs: number[] = [];
  let a: string[] = [];
  let b: string[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    a = CidrAggregator.aggregate(entries).map(x => x.cidr);
    ours.push(performance.now() - t);
    t = performance.now();
    const merged = CidrAggregator.merge(texts);
    oursMerge.push(performance.now() - t);
    if (merged.length !== a.length || merged.some((x, i) => x !== a[i])) throw new Error('merge and aggregate disagree');
    t = performance.now();
    b = mergeCidr(texts);
    theirs.push(performance.now() - t);
  }
  const sa = new Set(a);
  const sb = new Set(b);
  const equal = sa.size === sb.size && [...sa].every(x => sb.has(x));
  process.stdout.write(JSON.stringify({
    prefixes: n,
    v4: texts.filter(t => !t.includes(':')).length,
    v6: texts.filter(t => t.includes(':')).length,
    outputPrefixes: a.length,
    oursMs: median(ours),
    oursMergeMs: median(oursMerge),
    cidrToolsMs: median(theirs),
    ratio: median(ours.map((x, i) => x / theirs[i])),
    mergeRatio: median(oursMerge.map((x, i) => x / theirs[i])),
    equal,
    onlyOurs: [...sa].filter(x => !sb.has(x)).slice(0, 5),
    onlyCidrTools: [...sb].filter(x => !sa.has(x)).slice(0, 5),
  }) + '\n');
}

main().catch(e => { console.error(e); process.exit(1); });
