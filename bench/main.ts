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

interface SynthResult {
  kind: string; n: number; totalMs: number; cpuMs: number; buildMs: number; synthMs: number; peakRssMiB: number; baseRssMiB: number;
  objects: number; yamlBytes: number; yamlSha256: string;
}

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

// ours: the full estate; lists: the same allow-lists without NAT pools (exactly what plus renders);
// plus: cdk8s-plus-28 NetworkPolicies. Each in a cdk8s App; "-fast": the same in an EgressApp (cdk8s App with
// our byte-identical YAML writer). The order rotates from run to run, so no variant always runs first or last.
// "ours-unchecked-fast": ours-fast without Calico's policy check (how synth ran before the check became the
// only path); ours-fast / ours-unchecked-fast is what the check costs.
const KINDS = ['ours', 'lists', 'plus', 'ours-fast', 'plus-fast', 'ours-unchecked-fast'];
const synth: { [key: string]: SynthResult[] } = {};
for (let r = 0; r < RUNS; r++) {
  for (const n of ZONES) {
    const order = KINDS.map((_, i) => KINDS[(i + r) % KINDS.length]);
    for (const kind of order) {
      const res = child('synth-run.js', [kind, n, RULES]) as SynthResult;
      (synth[`${kind}/${n}`] ??= []).push(res);
      console.log(`  run ${r + 1} ${kind.padEnd(9)} N=${String(n).padEnd(5)} ${f(res.totalMs).padStart(6)} ms  peak RSS ${f(res.peakRssMiB)} MiB`);
    }
    for (const lib of ['ours', 'plus']) {
      const [app, fast] = [synth[`${lib}/${n}`][r], synth[`${lib}-fast/${n}`][r]];
      if (app.yamlSha256 !== fast.yamlSha256) throw new Error(`${lib} N=${n}: EgressApp wrote different YAML than the cdk8s App`);
    }
    if (synth[`ours-unchecked-fast/${n}`][r].yamlSha256 !== synth[`ours-fast/${n}`][r].yamlSha256) {
      throw new Error(`N=${n}: the policy check changed the YAML`);
    }
  }
}

const perRun = (a: string, b: string, n: number) => median(synth[`${a}/${n}`].map((x, i) => x.totalMs / synth[`${b}/${n}`][i].totalMs));
const rows = ZONES.map(n => {
  const of = (kind: string) => {
    const xs = synth[`${kind}/${n}`];
    return {
      ms: median(xs.map(x => x.totalMs)),
      buildMs: median(xs.map(x => x.buildMs)),
      synthMs: median(xs.map(x => x.synthMs)),
      peakRssMiB: median(xs.map(x => x.peakRssMiB)),
      baseRssMiB: median(xs.map(x => x.baseRssMiB)),
      objects: xs[0].objects,
      yamlMiB: xs[0].yamlBytes / 2 ** 20,
    };
  };
  return {
    n,
    ours: of('ours'),
    lists: of('lists'),
    plus: of('plus'),
    oursFast: of('ours-fast'),
    plusFast: of('plus-fast'),
    ratio: perRun('ours', 'plus', n),
    ratioLists: perRun('lists', 'plus', n),
    ratioFastVsPlus: perRun('ours-fast', 'plus', n),
    ratioFastVsPlusFast: perRun('ours-fast', 'plus-fast', n),
    oursUncheckedFast: of('ours-unchecked-fast'),
    ratioCheckedVsUnchecked: perRun('ours-fast', 'ours-unchecked-fast', n),
    ratioCheckedVsUncheckedCpu: median(synth[`ours-fast/${n}`].map((x, i) => x.cpuMs / synth[`ours-unchecked-fast/${n}`][i].cpuMs)),
  };
});

console.log('\n1+2. synthesis, median ms (build+synth) and peak RSS; ratios are medians of per-run ratios');
console.log('  zones | ours (App)             | lists (App)            | plus (App)             | ours (EgressApp)       | plus (EgressApp)       | ours/plus lists/plus oursE/plus oursE/plusE');
const cell = (c: { ms: number; buildMs: number; synthMs: number; peakRssMiB: number }) =>
  `${f(c.ms).padStart(6)} (${f(c.buildMs)}+${f(c.synthMs)}) ${f(c.peakRssMiB).padStart(5)} MiB`.padEnd(23);
for (const r of rows) {
  console.log(`  ${String(r.n).padStart(5)} | ${cell(r.ours)}| ${cell(r.lists)}| ${cell(r.plus)}| ${cell(r.oursFast)}| ${cell(r.plusFast)}| `
    + `${f(r.ratio, 2).padStart(9)} ${f(r.ratioLists, 2).padStart(10)} ${f(r.ratioFastVsPlus, 2).padStart(10)} ${f(r.ratioFastVsPlusFast, 2).padStart(11)}`);
}
for (const r of rows) {
  console.log(`  N=${r.n}: Calico's policy check (the only path) vs none: ours (EgressApp) ${f(r.oursFast.ms)} ms checked, `
    + `${f(r.oursUncheckedFast.ms)} ms unchecked, ratio checked/unchecked ${f(r.ratioCheckedVsUnchecked, 2)} `
    + `(CPU time ${f(r.ratioCheckedVsUncheckedCpu, 2)})`);
}
for (const r of rows) {
  console.log(`  N=${r.n}: ours ${r.ours.objects} objects / ${f(r.ours.yamlMiB, 1)} MiB YAML; lists ${r.lists.objects} / ${f(r.lists.yamlMiB, 1)} MiB;`
    + ` cdk8s-plus-28 ${r.plus.objects} objects / ${f(r.plus.yamlMiB, 1)} MiB`);
}
const growthOf = (kind: string) => rows.slice(1).map((r, i) => {
  const prev = rows[i];
  const timeRatio = median(synth[`${kind}/${r.n}`].map((x, k) => x.totalMs / synth[`${kind}/${prev.n}`][k].totalMs));
  return { kind, from: prev.n, to: r.n, timeRatio, sizeRatio: r.n / prev.n, perZoneRatio: timeRatio / (r.n / prev.n) };
});
const growth = [...growthOf('ours'), ...growthOf('ours-fast')];
for (const kind of ['ours', 'ours-fast']) {
  console.log(`  growth (${kind}): ` + growth.filter(g => g.kind === kind)
    .map(g => `${g.from}->${g.to}: x${f(g.timeRatio, 2)} time for x${g.sizeRatio} zones (per-zone cost x${f(g.perZoneRatio, 2)})`).join('; '));
}

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
