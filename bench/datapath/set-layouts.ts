/**
 * `npm run bench:datapath -- --set-layouts [--changes 20]` — which nftables set layout makes a -100/+100
 * change of a 10,000-prefix allow-list cheap however many changes came before (issue 21 item 15,
 * BENCHMARKS.md "Allow-list set layouts"). Plain `nft -f` in one network namespace (`asl0`), no traffic:
 * the kernel and nft cost of each change alone.
 *
 * The list: 10,000 /24s (tcp/443); change k removes the 100 prefixes change k-1 added (the first: 100 of
 * the original list) and adds 100 new ones. Layouts, each in a table of its own with a hooked rule that
 * looks it up behind an interface guard that never matches:
 *
 *   pipapo-in-place  `ipv4_addr . inet_proto . inet_service` interval set, elements deleted/added in place
 *   pipapo-swap      the same set rebuilt beside the running one, then the rule switched to it
 *   shards-16        the same, split into 16 sets by the prefix's third octet (`ip daddr & 0.0.15.0 vmap`);
 *                    a change rebuilds the shards it touches beside the running ones
 *   rbtree-in-place  `ipv4_addr` interval set (ports matched apart), elements deleted/added in place
 *   hash-in-place    `ipv4_addr : verdict` map of the /24 network addresses (allow-list-maps.ts), in place
 *
 * Per change: wall time and CPU time (user + system of nft, i.e. nft's parsing and the kernel's
 * transaction; perf's task-clock when perf is there) of the transactions; the report gives min / median / max, the first and the last change
 * (growth), and each layout's ratio to hash-in-place.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { childCpuMs, range } from '../../test/agent/e2e/allow-list-load';

const NS = 'asl0';
const T = 'inet asl';
const LIST = 10_000;
const net = (i: number) => `100.${64 + Math.floor(i / 256)}.${i % 256}.0`;
const shardOf = (i: number) => (i % 256) & 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mmm = (xs: number[]) => [Math.min(...xs), median(xs), Math.max(...xs)].map((x) => (x < 10 ? x.toFixed(1) : x.toFixed(0))).join(' / ');

interface Layout {
  readonly name: string;
  /** The table holding `list` (first load). */
  load(list: number[]): string[];
  /** The transactions of change k: from `before` to `after`, removing `gone`, adding `came`. */
  change(k: number, after: number[], gone: number[], came: number[]): string[];
}

const guard = (rule: string) => [`  chain lookup {`, '    type filter hook forward priority filter - 20; policy accept;', `    iifname "asl-none" ${rule}`, '  }'];
const table = (...body: string[]) => [`table ${T} {`, ...body, '}', ''].join('\n');
const elements = (xs: string[]) => (xs.length ? [`    elements = { ${xs.join(', ')} }`] : []);
const pipapoSet = (name: string, list: number[]) => [`  set ${name} {`, '    type ipv4_addr . inet_proto . inet_service', '    flags interval',
  ...elements(list.map((i) => `${net(i)}/24 . tcp . 443`)), '  }'];

const LAYOUTS: Layout[] = [
  {
    name: 'pipapo-in-place',
    load: (list) => [table(...pipapoSet('s', list), ...guard('ip daddr . meta l4proto . th dport @s counter'))],
    change: (_k, _a, gone, came) => [[`delete element ${T} s { ${gone.map((i) => `${net(i)}/24 . tcp . 443`).join(', ')} }`,
      `add element ${T} s { ${came.map((i) => `${net(i)}/24 . tcp . 443`).join(', ')} }`, ''].join('\n')],
  },
  {
    name: 'pipapo-swap',
    load: (list) => [table(...pipapoSet('s_g0', list), ...guard('ip daddr . meta l4proto . th dport @s_g0 counter'))],
    change: (k, after) => [table(...pipapoSet(`s_g${k + 1}`, after)),
      [`flush chain ${T} lookup`, table(...guard(`ip daddr . meta l4proto . th dport @s_g${k + 1} counter`)).trimEnd(), `delete set ${T} s_g${k}`, ''].join('\n')],
  },
  {
    name: 'shards-16',
    load: (list) => {
      const shards = range(0, 16);
      return [table(...shards.flatMap((s) => [`  chain shard${s} {`, `    ip daddr . meta l4proto . th dport @s${s}_g0 counter`, '  }']),
        ...shards.flatMap((s) => pipapoSet(`s${s}_g0`, list.filter((i) => shardOf(i) === s))),
        ...guard(`ip daddr & 0.0.15.0 vmap { ${shards.map((s) => `0.0.${s}.0 : jump shard${s}`).join(', ')} }`))];
    },
    change: (k, after, gone, came) => {
      const touched = [...new Set([...gone, ...came].map(shardOf))];
      const gen = (s: number) => shardGen.get(s) ?? 0;
      const stage = table(...touched.flatMap((s) => pipapoSet(`s${s}_g${k + 1}`, after.filter((i) => shardOf(i) === s))));
      const swap = [...touched.flatMap((s) => [`flush chain ${T} shard${s}`, `add rule ${T} shard${s} ip daddr . meta l4proto . th dport @s${s}_g${k + 1} counter`,
        `delete set ${T} s${s}_g${gen(s)}`]), ''].join('\n');
      for (const s of touched) shardGen.set(s, k + 1);
      return [stage, swap];
    },
  },
  {
    name: 'rbtree-in-place',
    load: (list) => [table('  set s {', '    type ipv4_addr', '    flags interval', ...elements(list.map((i) => `${net(i)}/24`)), '  }',
      ...guard('ip daddr @s tcp dport 443 counter'))],
    change: (_k, _a, gone, came) => [[`delete element ${T} s { ${gone.map((i) => `${net(i)}/24`).join(', ')} }`,
      `add element ${T} s { ${came.map((i) => `${net(i)}/24`).join(', ')} }`, ''].join('\n')],
  },
  {
    name: 'hash-in-place',
    load: (list) => [table('  chain c443 {', '    tcp dport 443 counter', '  }', '  map m24 {', '    type ipv4_addr : verdict',
      ...elements(list.map((i) => `${net(i)} : jump c443`)), '  }', ...guard('ip daddr & 255.255.255.0 vmap @m24'))],
    change: (_k, _a, gone, came) => [[`delete element ${T} m24 { ${gone.map(net).join(', ')} }`,
      `add element ${T} m24 { ${came.map((i) => `${net(i)} : jump c443`).join(', ')} }`, ''].join('\n')],
  },
];
const shardGen = new Map<number, number>();

export async function runSetLayouts(argv: string[]): Promise<void> {
  const i = argv.indexOf('--changes');
  const CHANGES = Math.min(50, i > 0 ? Number(argv[i + 1]) : 20);
  const dir = mkdtempSync(join(os.tmpdir(), 'asl-'));
  spawnSync('ip', ['netns', 'del', NS]);
  if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) throw new Error(`cannot create network namespace ${NS} (root needed)`);
  // CPU of nft (user + system: its parsing and the kernel's transaction) from perf's task-clock, precise to
  // the microsecond; without perf from the children's tick counts (10 ms resolution).
  const perf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', 'true'], { encoding: 'utf8' }).status === 0;
  const nft = (text: string) => {
    writeFileSync(join(dir, 'x.nft'), text);
    const cpu = childCpuMs(process.pid);
    const t0 = process.hrtime.bigint();
    const cmd = [...(perf ? ['perf', 'stat', '-x,', '-e', 'task-clock', '--'] : []), 'nft', '-f', join(dir, 'x.nft')];
    const r = spawnSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' });
    const ms = Number((process.hrtime.bigint() - t0) / 1_000_000n);
    if (r.status !== 0) throw new Error(r.stderr);
    const clock = /^([\d.]+),msec,task-clock/m.exec(r.stderr);
    return { ms, cpuMs: clock ? Number(clock[1]) : childCpuMs(process.pid) - cpu };
  };
  const results: Array<{ name: string; wall: number[]; cpu: number[]; loadMs: number }> = [];
  try {
    for (const layout of LAYOUTS) {
      shardGen.clear();
      const loadMs = layout.load(range(0, LIST)).reduce((n, t) => n + nft(t).ms, 0);
      const blocks = range(0, CHANGES).map((k) => range(20_000 + 100 * k, 100));
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let k = 0; k < CHANGES; k++) {
        const gone = k === 0 ? range(0, 100) : blocks[k - 1];
        const after = [...range(100, LIST - 100), ...blocks[k]];
        const steps = layout.change(k, after, gone, blocks[k]).map(nft);
        wall.push(steps.reduce((n, s) => n + s.ms, 0));
        cpu.push(steps.reduce((n, s) => n + s.cpuMs, 0));
        process.stderr.write(`[set-layouts] ${layout.name} change ${k + 1}: ${wall[k]} ms wall, ${cpu[k].toFixed(1)} ms CPU\n`);
      }
      nft(`delete table ${T}\n`);
      results.push({ name: layout.name, wall, cpu, loadMs });
    }
  } finally {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  }
  const hash = results.find((r) => r.name === 'hash-in-place')!;
  const lines = [
    `Command: \`npm run bench:datapath -- ${argv.join(' ')}\` — ${CHANGES} successive -100/+100 changes of a ${LIST.toLocaleString('en')}-prefix list per layout, plain nft, no traffic`,
    `Machine: ${os.cpus()[0].model}, ${os.cpus().length} vCPU, Linux ${os.release()}, ${spawnSync('nft', ['--version'], { encoding: 'utf8' }).stdout.trim()}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    '',
    '| layout | load ms | wall ms min / median / max | CPU ms min / median / max | CPU first → last change | CPU median / hash-in-place |',
    '|---|---:|---|---|---|---:|',
    ...results.map((r) => `| ${r.name} | ${r.loadMs} | ${mmm(r.wall)} | ${mmm(r.cpu)} | ${r.cpu[0].toFixed(1)} → ${r.cpu[r.cpu.length - 1].toFixed(1)} | ${(median(r.cpu) / median(hash.cpu)).toFixed(1)} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  mkdirSync(join(__dirname, '..', '..', '.bench'), { recursive: true });
  writeFileSync(join(__dirname, '..', '..', '.bench', 'datapath-set-layouts.md'), lines.join('\n') + '\n');
}
