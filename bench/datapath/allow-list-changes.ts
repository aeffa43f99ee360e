/**
 * `npm run bench:datapath -- --allow-list-changes [--changes 20]` — issue 21 item 15, BENCHMARKS.md
 * "Allow-list changes".
 *
 * One lab (test/agent/e2e/netns-lab.ts, prefix "dpc", one gateway replica, the real agents): zone
 * payments with a 10,000-prefix allow-list, and a 1,000 packets/s UDP stream of another zone (open,
 * pod 10.201.1.20) through the same replica, counted at the receiver (stream.js). Both stream ends
 * run SCHED_FIFO (chrt -f 10) so that a gap is the data path's, not the stream processes' turn on a
 * shared CPU. Then the same N successive -100/+100 changes (each removes the 100 prefixes the previous
 * one added; the first removes 100 of the original list), three times:
 *
 *   in place   before issue 21: the zone's `ipv4_addr . inet_proto . inet_service` interval (pipapo) set,
 *              changed elements deleted and added in place in one nft transaction
 *   set swap   the first issue-21 agent: the same set rebuilt beside the running one (all 10,000
 *              elements), then one transaction switching the rule to it and deleting the old one
 *   maps       this agent: the config file written; it edits the /24 hash map in place
 *              (src/agent/gateway/allow-list-maps.ts, src/agent/shared/nft-table-swap.ts)
 *
 * The first two run as plain nft transactions in a table of their own in the replica's namespace
 * (`inet dpc_old`, its rule hooked at forward but guarded by an interface that never matches, so it
 * costs the stream nothing), with the agent stopped (its rules stay); the kernel work is the same as
 * when those agents did it. Per change: nft wall time (maps: the agent's transactions as it logs them),
 * CPU time of the processes that did it (nft; for maps every child of the agent for that sync), and the
 * other zone's longest arrival gap while the change was applied, next to its longest gap in a quiet
 * window of the same length right after.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { childCpuMs, filler, range } from '../../test/agent/e2e/allow-list-load';
import {
  buildAgents, labConfig, labState, missingPrerequisite, NetnsLab, nsx, Proc, sleep, until,
} from '../../test/agent/e2e/netns-lab';

const STREAM = join(__dirname, '..', '..', 'test', 'agent', 'e2e', 'stream.js');
const REPO = join(__dirname, '..', '..');
const TABLE = 'inet cdk8s_egress_gw';
const FILLERS = 9_997; // + the lab zone's 3 entries: 10,000
const element = (i: number) => `${filler(i).cidr} . tcp . 443`;
const OLD = 'inet dpc_old';

/**
 * The zone's allow-list as the agents before this one held it: set `z1_ports_g<gen>` (pipapo), and a
 * hooked chain whose rule looks it up behind an interface guard that never matches. `withSet`/`withChain`
 * give the stage (the set alone) and the switch (the chain alone) of the set-swap approach.
 */
function oldTable(fillers: number[], gen: number, withChain = true, withSet = true): string {
  return [`table ${OLD} {`,
    ...(withSet ? [`  set z1_ports_g${gen} {`, '    type ipv4_addr . inet_proto . inet_service', '    flags interval',
      ...(fillers.length ? [`    elements = { ${fillers.map(element).join(', ')} }`] : []), '  }'] : []),
    ...(withChain ? ['  chain lookup {', '    type filter hook forward priority filter - 20; policy accept;',
      `    iifname "dpc-none" ip daddr . meta l4proto . th dport @z1_ports_g${gen} counter`, '  }'] : []),
    '}', ''].join('\n');
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mmm = (xs: number[], d = 0) => `${Math.min(...xs).toFixed(d)} / ${median(xs).toFixed(d)} / ${Math.max(...xs).toFixed(d)}`;
const log = (m: string) => process.stderr.write(`[bench:datapath allow-list] ${m}\n`);

/** One change applied and measured: [start, end] in Date.now() time. */
interface Change { readonly k: number; readonly start: number; readonly end: number; readonly nftMs: number; readonly cpuMs: number }
interface Gap { readonly end: number; readonly ms: number }

/** Longest arrival gap that overlaps [from, to] (a gap is the time between two consecutive packets). */
function longestGap(gaps: Gap[], from: number, to: number): number {
  return Math.max(1, ...gaps.filter((g) => g.end >= from && g.end - g.ms <= to).map((g) => g.ms));
}

export async function runAllowListChanges(argv: string[]): Promise<void> {
  const i = argv.indexOf('--changes');
  const CHANGES = Math.min(50, i > 0 ? Number(argv[i + 1]) : 20);
  const skip = missingPrerequisite();
  if (skip) throw new Error(`cannot run: ${skip}`);
  buildAgents();
  const lab = new NetnsLab({ prefix: 'dpc', gateways: 1 });
  try {
    lab.create();
    lab.addPod(1, 'pay1', '10.201.1.10');
    const open = lab.addPod(1, 'op1', '10.201.1.20');
    const config = labConfig(lab);
    const base = config.zones[0].allow;
    const withList = (fillers: number[]) => {
      const c = JSON.parse(JSON.stringify(config));
      c.zones[0].allow = [...base, ...fillers.map(filler)];
      return c;
    };
    lab.writeConfig(withList(range(0, FILLERS)));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }, { ip: '10.201.1.20', zone: 'open' }], [1]));
    let gw = lab.startGateway(1);
    await gw.waitFor(/"msg":"applied","egressIp":"198\.19\.100\.1"/, 60_000);
    const node = lab.startNode(1);
    await node.waitFor(/10\.201\.100\.11=ready/, 30_000);
    const receiver = lab.spawn('receive', lab.ns('x'), ['chrt', '-f', '10', 'node', STREAM, 'receive', '--port', '9100', '--gap-ms', '3']);
    await receiver.waitFor(/listening/, 10_000, 'out');
    const sender = lab.spawn('send', open, ['chrt', '-f', '10', 'node', STREAM, 'send', '--to', '198.19.0.10:9100', '--rate', '1000', '--duration', '3600000']);
    await sleep(2000);

    // The sequence of lists: change k removes the block change k-1 added.
    const blocks = range(0, CHANGES).map((k) => range(20_000 + 100 * k, 100));
    const removedBy = (k: number) => (k === 0 ? range(0, 100) : blocks[k - 1]);
    const listAfter = (k: number) => [...range(100, FILLERS - 100), ...blocks[k]];

    // The agent stopped (its rules stay); the two earlier approaches as plain nft in a table of their own.
    gw.signal('SIGKILL');
    await gw.wait();
    const nft = (k: number, text: string): { ms: number; cpuMs: number; start: number; end: number } => {
      const file = join(lab.dir, 'change.nft');
      writeFileSync(file, text);
      const cpu = childCpuMs(process.pid);
      const start = Date.now();
      const r = spawnSync('ip', ['netns', 'exec', lab.ns('g1'), 'nft', '-f', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const end = Date.now();
      if (r.status !== 0) throw new Error(`change ${k}: ${r.stderr}`);
      return { ms: end - start, cpuMs: childCpuMs(process.pid) - cpu, start, end };
    };
    const runOld = async (name: string, change: (k: number) => string[]): Promise<Change[]> => {
      nft(-1, oldTable(range(0, FILLERS), 0));
      await sleep(2000);
      const out: Change[] = [];
      for (let k = 0; k < CHANGES; k++) {
        const steps = change(k).map((t) => nft(k, t)); // one or two transactions, back to back
        const c = { k, start: steps[0].start, end: steps[steps.length - 1].end, nftMs: steps.reduce((n, x) => n + x.ms, 0), cpuMs: steps.reduce((n, x) => n + x.cpuMs, 0) };
        out.push(c);
        log(`${name} change ${k + 1}: nft ${c.nftMs} ms, CPU ${c.cpuMs} ms`);
        await sleep(Math.max(1000, 2 * (c.end - c.start) + 300)); // room for a quiet window as long as the change
      }
      nft(-1, `delete table ${OLD}\n`);
      return out;
    };
    const inPlace = await runOld('in place', (k) => [`delete element ${OLD} z1_ports_g0 { ${removedBy(k).map(element).join(', ')} }\n`
      + `add element ${OLD} z1_ports_g0 { ${blocks[k].map(element).join(', ')} }\n`]);
    const setSwap = await runOld('set swap', (k) => [oldTable(listAfter(k), k + 1, false), [
      `flush chain ${OLD} lookup`, oldTable([], k + 1, true, false).trimEnd(), `delete set ${OLD} z1_ports_g${k}`, '',
    ].join('\n')]);

    // The agent back (a restart: every set rebuilt), then the same changes through its configuration file.
    lab.writeConfig(withList(range(0, FILLERS)));
    gw = lab.startGateway(1);
    await gw.waitFor(/"msg":"applied","egressIp":"198\.19\.100\.1"/, 60_000);
    const load = /"msg":"table updated".*"stageMs":(\d+),"swapMs":(\d+)/.exec(gw.err)!;
    const tableLoadMs = Number(load[1]) + Number(load[2]);
    log(`agent restarted: table load (every set rebuilt) ${tableLoadMs} ms of nft`);
    await sleep(2000);
    const maps: Change[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const mark = gw.err.length;
      const cpu = childCpuMs(gw.child.pid!);
      const start = Date.now();
      lab.writeConfig(withList(listAfter(k)));
      const done = await until('the agent\'s update', () => /"msg":"table updated".*"stageMs":(\d+),"swapMs":(\d+)/.exec(gw.err.slice(mark)) ?? undefined, 60_000, 5);
      const end = Date.now();
      maps.push({ k, start, end, nftMs: Number(done[1]) + Number(done[2]), cpuMs: childCpuMs(gw.child.pid!) - cpu });
      log(`maps change ${k + 1}: nft ${maps[k].nftMs} ms (file write -> logged ${end - start} ms), CPU ${maps[k].cpuMs} ms`);
      await sleep(Math.max(1000, 2 * (end - start) + 300));
    }
    await sleep(500);
    sender.signal('SIGTERM');
    await sender.wait(10_000);
    const sent = JSON.parse(sender.out.trim().split('\n').pop()!).sent as number;
    await sleep(300);
    receiver.signal('SIGTERM');
    await receiver.wait(10_000);
    const got = JSON.parse(receiver.out.trim().split('\n').pop()!);
    const gaps: Gap[] = got.gaps;
    const during = (c: Change) => longestGap(gaps, c.start, c.end + 20);
    const quiet = (c: Change) => longestGap(gaps, c.end + 200, c.end + 200 + (c.end - c.start));
    report({ CHANGES, inPlace, setSwap, maps, tableLoadMs, during, quiet, sent, received: got.unique, argv });
  } finally {
    lab.destroy();
    lab.removeDir();
  }
}

interface Report {
  CHANGES: number; inPlace: Change[]; setSwap: Change[]; maps: Change[]; tableLoadMs: number; sent: number; received: number; argv: string[];
  during(c: Change): number; quiet(c: Change): number;
}

function report(r: Report): void {
  const machine = `${os.cpus()[0].model}, ${os.cpus().length} vCPU, Linux ${os.release()}, Node ${process.version}, `
    + `${spawnSync('nft', ['--version'], { encoding: 'utf8' }).stdout.trim()}; 1-minute load average at the end ${os.loadavg()[0].toFixed(2)}`;
  const row = (name: string, cs: Change[]) =>
    `| ${name} | ${mmm(cs.map((c) => c.nftMs))} | ${mmm(cs.map((c) => c.cpuMs))} | ${mmm(cs.map((c) => r.during(c)))} | ${mmm(cs.map((c) => r.quiet(c)))} | ${cs.map((c) => c.nftMs).join(' ')} |`;
  /** new / old per change (the k-th change of each), min / median / max, and the ratio of the medians. */
  const ratio = (old: Change[], f: (c: Change) => number) => {
    const per = r.maps.map((c, k) => f(c) / f(old[k]));
    return `${mmm(per, 3)} (of medians ${(median(r.maps.map(f)) / median(old.map(f))).toFixed(3)})`;
  };
  const metrics: Array<[string, (c: Change) => number]> = [['nft wall time', (c) => c.nftMs], ['CPU time', (c) => c.cpuMs], ['the other zone\'s longest gap during the change', r.during]];
  const over = (cs: Change[]) => cs.filter((c) => r.during(c) > 10).length;
  const lines = [
    `Command: \`npm run bench:datapath -- ${r.argv.join(' ')}\` — ${r.CHANGES} successive -100/+100 changes of a 10,000-prefix allow-list per approach; `
      + `another zone's 1,000 packets/s UDP stream through the same replica (SCHED_FIFO ends): ${r.sent} sent, ${r.received} received`,
    `Machine: ${machine}`,
    '',
    '| approach | nft wall ms min / median / max | CPU ms min / median / max | other zone\'s longest gap during the change, ms | same, quiet window after, ms | nft wall ms per change, in order |',
    '|---|---|---|---|---|---|',
    row('in place (pipapo set, before issue 21)', r.inPlace),
    row('set swap (pipapo set rebuilt beside)', r.setSwap),
    row('maps (this agent: hash maps edited in place)', r.maps),
    '',
    '| ratio new / old, per change min / median / max (of medians) | maps / in place | maps / set swap |',
    '|---|---|---|',
    ...metrics.map(([name, f]) => `| ${name} | ${ratio(r.inPlace, f)} | ${ratio(r.setSwap, f)} |`),
    '',
    `Goals: each change <= 200 ms of nft (maps: ${r.maps.filter((c) => c.nftMs > 200).length} of ${r.CHANGES} above; a table load at the agent's restart took ${r.tableLoadMs} ms); `
      + `no gap above 10 ms in the other zone (changes with one: in place ${over(r.inPlace)}, set swap ${over(r.setSwap)}, maps ${over(r.maps)} of ${r.CHANGES})`,
  ];
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  mkdirSync(join(REPO, '.bench'), { recursive: true });
  writeFileSync(join(REPO, '.bench', 'datapath-allow-list.md'), text + '\n');
  const detail = (cs: Change[]) => cs.map((c) => ({ ...c, gap: r.during(c), quietGap: r.quiet(c) }));
  writeFileSync(join(REPO, '.bench', 'datapath-allow-list.json'), JSON.stringify({
    machine, inPlace: detail(r.inPlace), setSwap: detail(r.setSwap), maps: detail(r.maps), tableLoadMs: r.tableLoadMs, sent: r.sent, received: r.received,
  }, null, 2));
}
