/**
 * `npm run bench:datapath -- --allow-list-changes [--changes 20]` — issue 21 item 15, BENCHMARKS.md
 * "Allow-list changes".
 *
 * One lab (test/agent/e2e/netns-lab.ts, prefix "dpc", one gateway replica, the real agents): zone
 * payments with a 10,000-prefix allow-list, and a 1,000 packets/s UDP stream of another zone (open,
 * pod 10.201.1.20) through the same replica, counted at the receiver (stream.js). Both stream ends
 * run SCHED_FIFO (chrt -f 10) so that a gap is the data path's, not the stream processes' turn on a
 * shared CPU. Then the same N successive -100/+100 changes (each removes the 100 prefixes the previous
 * one added; the first removes 100 of the original list), twice:
 *
 *   baseline  the approach before issue 21: the changed elements deleted and added in place, one nft
 *             transaction into the running set (rendered here; the agent is stopped meanwhile)
 *   swap      the agent after issue 21: config file written, the agent rebuilds the changed set beside
 *             the old one and switches the rules to it (src/agent/shared/nft-table-swap.ts)
 *
 * Per change: wall time of the nft work (baseline: the transaction; swap: the agent's stage + switch as
 * it logs them), CPU time of the processes that did it (baseline: nft; swap: every child of the agent for
 * that sync: ip, nft listing, both transactions), and the other zone's longest arrival gap while the
 * change was applied, next to its longest gap in a quiet window of the same length right after.
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

    // Baseline: the agent stopped (its rules stay), the old in-place transactions straight into the zone's set.
    gw.signal('SIGKILL');
    await gw.wait();
    const tables = JSON.parse(nsx(lab.ns('g1'), `nft -j -t list table ${TABLE}`)).nftables;
    const portsSet = tables.find((o: any) => o.set?.name.startsWith('z1_ports')).set.name as string;
    const baseline: Change[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const file = join(lab.dir, 'delta.nft');
      writeFileSync(file, `delete element ${TABLE} ${portsSet} { ${removedBy(k).map(element).join(', ')} }\n`
        + `add element ${TABLE} ${portsSet} { ${blocks[k].map(element).join(', ')} }\n`);
      const cpu = childCpuMs(process.pid);
      const start = Date.now();
      const r = spawnSync('ip', ['netns', 'exec', lab.ns('g1'), 'nft', '-f', file], { encoding: 'utf8' });
      const end = Date.now();
      if (r.status !== 0) throw new Error(`baseline change ${k}: ${r.stderr}`);
      baseline.push({ k, start, end, nftMs: end - start, cpuMs: childCpuMs(process.pid) - cpu });
      log(`baseline change ${k + 1}: nft ${end - start} ms, CPU ${baseline[k].cpuMs} ms`);
      await sleep(Math.max(1000, 2 * (end - start) + 300)); // room for a quiet window as long as the change
    }

    // The agent back (a restart: every set rebuilt), then the same changes through its configuration file.
    lab.writeConfig(withList(range(0, FILLERS)));
    gw = lab.startGateway(1);
    await gw.waitFor(/"msg":"applied","egressIp":"198\.19\.100\.1"/, 60_000);
    const load = /"msg":"table updated".*"stageMs":(\d+),"swapMs":(\d+)/.exec(gw.err)!;
    const tableLoadMs = Number(load[1]) + Number(load[2]);
    log(`agent restarted: table load (every set rebuilt) ${tableLoadMs} ms of nft`);
    await sleep(2000);
    const swap: Change[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const mark = gw.err.length;
      const cpu = childCpuMs(gw.child.pid!);
      const start = Date.now();
      lab.writeConfig(withList(listAfter(k)));
      const done = await until('the agent\'s update', () => /"msg":"table updated".*"stageMs":(\d+),"swapMs":(\d+)/.exec(gw.err.slice(mark)) ?? undefined, 60_000, 5);
      const end = Date.now();
      swap.push({ k, start, end, nftMs: Number(done[1]) + Number(done[2]), cpuMs: childCpuMs(gw.child.pid!) - cpu });
      log(`swap change ${k + 1}: nft ${swap[k].nftMs} ms (file write -> logged ${end - start} ms), CPU ${swap[k].cpuMs} ms`);
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
    report({ CHANGES, baseline, swap, tableLoadMs, during, quiet, sent, received: got.unique, argv });
  } finally {
    lab.destroy();
    lab.removeDir();
  }
}

interface Report {
  CHANGES: number; baseline: Change[]; swap: Change[]; tableLoadMs: number; sent: number; received: number; argv: string[];
  during(c: Change): number; quiet(c: Change): number;
}

function report(r: Report): void {
  const machine = `${os.cpus()[0].model}, ${os.cpus().length} vCPU, Linux ${os.release()}, Node ${process.version}, `
    + `${spawnSync('nft', ['--version'], { encoding: 'utf8' }).stdout.trim()}; 1-minute load average at the end ${os.loadavg()[0].toFixed(2)}`;
  const row = (name: string, cs: Change[]) =>
    `| ${name} | ${mmm(cs.map((c) => c.nftMs))} | ${mmm(cs.map((c) => c.cpuMs))} | ${mmm(cs.map((c) => r.during(c)))} | ${mmm(cs.map((c) => r.quiet(c)))} | ${cs.map((c) => c.nftMs).join(' ')} |`;
  const ratio = (f: (c: Change) => number) => {
    const per = r.swap.map((c, k) => f(c) / f(r.baseline[k]));
    return `${mmm(per, 3)} (of medians ${(median(r.swap.map(f)) / median(r.baseline.map(f))).toFixed(3)})`;
  };
  const over = (cs: Change[]) => cs.filter((c) => r.during(c) > 10).length;
  const lines = [
    `Command: \`npm run bench:datapath -- ${r.argv.join(' ')}\` — ${r.CHANGES} successive -100/+100 changes of a 10,000-prefix allow-list per approach; `
      + `another zone's 1,000 packets/s UDP stream through the same replica (SCHED_FIFO ends): ${r.sent} sent, ${r.received} received`,
    `Machine: ${machine}`,
    '',
    '| approach | nft wall ms min / median / max | CPU ms min / median / max | other zone\'s longest gap during the change, ms | same, quiet window after, ms | nft wall ms per change, in order |',
    '|---|---|---|---|---|---|',
    row('baseline (in place)', r.baseline),
    row('swap (this agent)', r.swap),
    '',
    '| ratio swap / baseline, per change min / median / max | value | target |',
    '|---|---|---|',
    `| nft wall time | ${ratio((c) => c.nftMs)} | each swap <= 200 ms and <= a table load (${r.tableLoadMs} ms at the restart) |`,
    `| CPU time | ${ratio((c) => c.cpuMs)} | |`,
    '',
    `Changes with a gap above 10 ms in the other zone: baseline ${over(r.baseline)} of ${r.CHANGES}, swap ${over(r.swap)} of ${r.CHANGES}; `
      + `swap changes above 200 ms of nft: ${r.swap.filter((c) => c.nftMs > 200).length} of ${r.CHANGES}`,
  ];
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  mkdirSync(join(REPO, '.bench'), { recursive: true });
  writeFileSync(join(REPO, '.bench', 'datapath-allow-list.md'), text + '\n');
  writeFileSync(join(REPO, '.bench', 'datapath-allow-list.json'), JSON.stringify({
    machine, baseline: r.baseline.map((c) => ({ ...c, gap: r.during(c), quietGap: r.quiet(c) })),
    swap: r.swap.map((c) => ({ ...c, gap: r.during(c), quietGap: r.quiet(c) })), tableLoadMs: r.tableLoadMs, sent: r.sent, received: r.received,
  }, null, 2));
}
