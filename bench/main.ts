/**
 * `npm run bench`: every benchmark of BENCHMARKS.md ("Synthesis and model"), side by side in one script.
 * Each synthesis runs in a fresh child process (so peak RSS is that run's), ours and cdk8s-plus-28
 * alternating; every ratio is the median of per-run ratios of runs made next to each other.
 *
 * Environment: BENCH_RUNS (default 3), BENCH_ZONES (default "100,1000,5000"), BENCH_RULES (default 20).
 * Results: printed, and written to .bench/results.json.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ZONES = (process.env.BENCH_ZONES ?? '100,1000,5000').split(',').map(Number);
const RULES = Number(process.env.BENCH_RULES ?? 20);

interface SynthResult { kind: string; n: number; totalMs: number; buildMs: number; synthMs: number; peakRssMiB: number; baseRssMiB: number; objects: number; yamlBytes: number }

function child(script: string, args: (string | number)[]): any {
  const out = execFileSync(process.execPath, [path.join(__dirname, script), ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const f = (x: number, d = 0) => x.toFixed(d);

console.log(`machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model}), ${f(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`);
console.log(`synth: zones ${ZONES.join(', ')} x ${RULES} rules, ${RUNS} runs, fresh process per synthesis\n`);

const synth: { [key: string]: SynthResult[] } = {};
for (let r = 0; r < RUNS; r++) {
  for (const n of ZONES) {
    const order = r % 2 === 0 ? ['ours', 'plus'] : ['plus', 'ours'];
    for (const kind of order) {
      const res = child('synth-run.js', [kind, n, RULES]) as SynthResult;
      (synth[`${kind}/${n}`] ??= []).push(res);
      console.log(`  run ${r + 1} ${kind.padEnd(4)} N=${String(n).padEnd(5)} ${f(res.totalMs).padStart(6)} ms  peak RSS ${f(res.peakRssMiB)} MiB`);
    }
  }
}

const rows = ZONES.map(n => {
  const ours = synth[`ours/${n}`];
  const plus = synth[`plus/${n}`];
  return {
    n,
    oursMs: median(ours.map(x => x.totalMs)),
    oursBuildMs: median(ours.map(x => x.buildMs)),
    oursSynthMs: median(ours.map(x => x.synthMs)),
    oursPeakRssMiB: median(ours.map(x => x.peakRssMiB)),
    baseRssMiB: median(ours.map(x => x.baseRssMiB)),
    oursObjects: ours[0].objects,
    oursYamlMiB: ours[0].yamlBytes / 2 ** 20,
    plusMs: median(plus.map(x => x.totalMs)),
    plusPeakRssMiB: median(plus.map(x => x.peakRssMiB)),
    plusObjects: plus[0].objects,
    plusYamlMiB: plus[0].yamlBytes / 2 ** 20,
    ratio: median(ours.map((x, i) => x.totalMs / plus[i].totalMs)),
  };
});

console.log('\n1+2. synthesis (median ms; ratio = median of per-run ours/cdk8s-plus-28)');
console.log('  zones  ours ms (build+synth)    peak RSS   objects  YAML MiB | plus ms  peak RSS objects YAML MiB | ratio');
for (const r of rows) {
  console.log(`  ${String(r.n).padStart(5)}  ${f(r.oursMs).padStart(7)} (${f(r.oursBuildMs)}+${f(r.oursSynthMs)})`.padEnd(33)
    + `${f(r.oursPeakRssMiB).padStart(6)} MiB ${String(r.oursObjects).padStart(8)} ${f(r.oursYamlMiB, 1).padStart(8)} | `
    + `${f(r.plusMs).padStart(7)} ${f(r.plusPeakRssMiB).padStart(5)} MiB ${String(r.plusObjects).padStart(6)} ${f(r.plusYamlMiB, 1).padStart(8)} | ${f(r.ratio, 2)}`);
}
const growth = rows.slice(1).map((r, i) => {
  const prev = rows[i];
  const perRun = synth[`ours/${r.n}`].map((x, k) => x.totalMs / synth[`ours/${prev.n}`][k].totalMs);
  return { from: prev.n, to: r.n, timeRatio: median(perRun), sizeRatio: r.n / prev.n, perZoneRatio: median(perRun) / (r.n / prev.n) };
});
console.log('  growth (ours): ' + growth.map(g => `${g.from}->${g.to}: x${f(g.timeRatio, 2)} time for x${g.sizeRatio} zones (per-zone cost x${f(g.perZoneRatio, 2)})`).join('; '));

const agg = child('aggregate-run.js', [100_000, 7]);
console.log(`\n3. aggregation of ${agg.prefixes} prefixes (${agg.v4} IPv4, ${agg.v6} IPv6) -> ${agg.outputPrefixes}, median of 7:`);
console.log(`  CidrAggregator.aggregate ${f(agg.oursMs, 1)} ms (keeps descriptions), CidrAggregator.merge ${f(agg.oursMergeMs, 1)} ms, cidr-tools mergeCidr ${f(agg.cidrToolsMs, 1)} ms`);
console.log(`  ratio aggregate/cidr-tools ${f(agg.ratio, 2)}, merge/cidr-tools ${f(agg.mergeRatio, 2)}, same CIDR set: ${agg.equal}`);

const sel = child('selector-run.js', [1000, 5]);
console.log(`\n4. Selector.parse (+ canonical toString) over ${sel.selectors} selectors: ${f(sel.parsesPerSecond)} parses/s (median of ${sel.runs} one-second runs)`);

fs.mkdirSync(path.join(process.cwd(), '.bench'), { recursive: true });
fs.writeFileSync(path.join(process.cwd(), '.bench', 'results.json'), JSON.stringify({
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: os.totalmem() / 2 ** 30, node: process.version },
  runs: RUNS, rules: RULES, synth: rows, growth, raw: synth, aggregation: agg, selector: sel,
}, null, 2) + '\n');
