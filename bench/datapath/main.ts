/**
 * `npm run bench:datapath` — data-path benchmark (issue 5, BENCHMARKS.md "## Data path").
 *
 * One run, one set of namespaces (the e2e lab of test/agent/e2e/netns-lab.ts, prefix "dpb", one
 * gateway replica, the real agent entrypoints from images/build), variants interleaved round by
 * round so that machine noise hits all of them alike; medians per variant:
 *
 *   plain     pod 10.201.1.30 (no zone): pod → node → router → server, no tunnel, no NAT
 *   hairpin   pod 10.201.1.40 (no zone): as plain but the router sends both directions through the
 *             gateway replica's namespace (same hops as the gateway path, still no tunnel, no NAT);
 *             only there to split the gateway's cost into "extra hops" and "VXLAN + SNAT + allow-list"
 *   gw-1      zone pod 10.201.1.10: node agent → VXLAN → gateway agent (allow-list of 1 prefix) → SNAT
 *   gw-10k    the same with an allow-list of 10,000 prefixes (9,999 filler /24s in 100.64.0.0/10, tcp/443,
 *             plus the server's /32; in the zone's allow-list maps: the /24s in one hash map, the /32 in another)
 *   ipt-10k   gw-1 plus the same 10,000 prefixes as a linear iptables chain (iptables-nft, the
 *             Debian default) jumped to from FORWARD for packets from the tunnel, matching rule last
 *
 * Metrics: TCP throughput (iperf3, one stream, -t seconds after 1 s omitted) and new TCP connections
 * per second (bench/datapath/cps.js: N parallel connect → first byte → RST loops, bounded).
 * Options: --rounds N (5) --seconds S (3) --cps-ms MS (2000) --concurrency N (32) --nice N (0; iperf3's niceness)
 *          --variants plain,gw-1,ipt-10k,hairpin,gw-10k (all)
 *          --remedy none|pod-mtu|gro|underlay-mtu[,...]  (configuration outside the agents, see BENCHMARKS.md)
 *          --allow-list-changes [--changes N]  only the allow-list change benchmark (allow-list-changes.ts)
 *          --set-layouts [--changes N]  only the set layouts compared with plain nft (set-layouts.ts)
 *          --ipv6 [--trials N] [--rounds N] [--seconds S] [--probe i/t/f] [--probes-only] [--prefix p]  IPv6 against IPv4
 *            through the gateway, and the failover gap of both families (ipv6.ts)
 *          --dns [--rounds N --queries N --seconds S]  only the DNS proxy benchmark (dns-proxy.ts)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { runAllowListChanges } from './allow-list-changes';
import { runDnsBench } from './dns-proxy';
import { runIpv6 } from './ipv6';
import { runSetLayouts } from './set-layouts';
import {
  buildAgents, labConfig, labState, missingPrerequisite, NetnsLab, nsx, Proc, SERVER_ALLOWED, sh, sleep, until,
} from '../../test/agent/e2e/netns-lab';

const CPS = join(__dirname, 'cps.js');
const REPO = join(__dirname, '..', '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROUNDS = Math.min(20, Number(arg('rounds', '5')));
const SECONDS = Math.min(30, Number(arg('seconds', '3')));
const CPS_MS = Math.min(10_000, Number(arg('cps-ms', '2000')));
const CONCURRENCY = Math.min(256, Number(arg('concurrency', '32')));
const REMEDY = arg('remedy', 'none');
// --nice N: run iperf3 (client and server) at this niceness, e.g. -10 on a machine shared with niced builds:
// the packets' softirq work runs mostly in the sending process's context, so it gets the same priority.
// --variants a,b,...: measure only these (plain and gw-1 alone give twice the pairs in the same time).
const VARIANTS = arg('variants', 'plain,gw-1,ipt-10k,hairpin,gw-10k').split(',');
const NICE = Math.max(-20, Math.min(19, Number(arg('nice', '0'))));
const niced = (argv: string[]) => (NICE !== 0 ? ['nice', '-n', String(NICE), ...argv] : argv);
const FILLERS = 9_999;
const TUNNEL = 'egz4101'; // tunnelDeviceName(4101), the payments zone of labConfig
const GW_TABLE = 'cdk8s_egress_gw';
const IPT_CHAIN = 'DPBALLOW';

const lab = new NetnsLab({ prefix: 'dpb', gateways: 1 });
let gwProc: Proc | undefined;
const allowListUpdates: Array<{ added: number; removed: number; ms: number }> = [];
let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  try {
    lab.destroy();
    lab.removeDir();
  } catch (e) {
    process.stderr.write(`cleanup: ${(e as Error).message}\n`);
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\n${sig}: cleaning up the dpb* namespaces\n`);
    cleanup();
    process.exit(130);
  });
}
process.on('exit', cleanup);

const log = (m: string) => process.stderr.write(`[bench:datapath] ${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs argv in `ns` to completion (killed with the lab on Ctrl-C), returns stdout. */
async function run(name: string, ns: string, argv: string[], timeoutMs: number): Promise<string> {
  const p: Proc = lab.spawn(name, ns, argv);
  let code: number | null;
  try {
    code = await p.wait(timeoutMs);
  } catch (e) {
    p.signal('SIGKILL');
    throw e;
  }
  if (code !== 0) throw new Error(`${name} exited ${code}: ${p.err.slice(-2000)} ${p.out.slice(-2000)}`);
  return p.out;
}

function zoneConfig(prefixes: 1 | 10_000): any {
  const cfg = labConfig(lab);
  const allow: any[] = [];
  if (prefixes > 1) {
    for (let i = 0; i < FILLERS; i++) allow.push({ cidr: `100.${64 + (i >> 8)}.${i & 255}.0/24`, protocol: 'tcp', ports: ['443'] });
  }
  allow.push({ cidr: `${SERVER_ALLOWED}/32`, protocol: 'tcp', ports: [], description: 'bench server' });
  cfg.zones[0].allow = allow;
  return cfg;
}

/** Entries of zone 1's allow-list maps (one per prefix length, under generation names `z1_l24_g7`: allow-list-maps.ts). */
function setElements(): number {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns('g1'), 'nft', '-j', 'list', 'table', 'inet', GW_TABLE], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return -1;
  return JSON.parse(r.stdout).nftables.filter((o: any) => /^z1_l\d+_g\d+$/.test(o.map?.name ?? ''))
    .reduce((n: number, o: any) => n + (o.map.elem?.length ?? 0), 0);
}

async function applyAllowList(prefixes: 1 | 10_000): Promise<void> {
  const t0 = Date.now();
  const mark = gwProc!.err.length;
  const updated = /"msg":"table updated","sets":\[[^\]]*\],"added":(\d+),"removed":(\d+),"stageMs":(\d+),"swapMs":(\d+)/;
  lab.writeConfig(zoneConfig(prefixes));
  await until(`gateway allow-list of ${prefixes}`, () => setElements() === prefixes, 60_000, 200);
  // The agent logs right after nft returns: wait for that line (the kernel may be listed first).
  await until('the gateway agent\'s log', () => updated.test(gwProc!.err.slice(mark)) || /"msg":"applied"/.test(gwProc!.err.slice(mark)), 5000, 20).catch(() => undefined);
  const swap = updated.exec(gwProc!.err.slice(mark));
  log(`allow-list of ${prefixes} prefix(es) seen in the kernel ${Date.now() - t0} ms after the file was written (set listed every 200 ms)`
    + (swap ? `; table update +${swap[1]} -${swap[2]} in ${Number(swap[3]) + Number(swap[4])} ms (stage + switch)` : ''));
  if (swap) allowListUpdates.push({ added: Number(swap[1]), removed: Number(swap[2]), ms: Number(swap[3]) + Number(swap[4]) });
  await sleep(300);
}

function iptables(args: string): string {
  return nsx(lab.ns('g1'), `iptables ${args}`);
}

interface Sample { variant: string; round: number; gbps: number; retrans: number; mss?: number; cps: number; cpsErrors: number; load1: number }

async function measure(variant: string, pod: string, round: number): Promise<Sample> {
  const out = await run(`iperf3-${variant}`, pod, niced(['iperf3', '-c', SERVER_ALLOWED, '-p', '5201', '-t', String(SECONDS), '-O', '1', '-J']), (SECONDS + 20) * 1000);
  const j = JSON.parse(out);
  if (j.error) throw new Error(`iperf3 ${variant}: ${j.error}`);
  const c = JSON.parse(await run(`cps-${variant}`, pod, ['node', CPS, 'client', '--to', `${SERVER_ALLOWED}:8090`,
    '--concurrency', String(CONCURRENCY), '--duration', String(CPS_MS)], CPS_MS + 15_000));
  const s: Sample = {
    variant, round, gbps: j.end.sum_received.bits_per_second / 1e9, retrans: j.end.sum_sent.retransmits ?? 0,
    mss: j.start?.tcp_mss_default, cps: c.cps, cpsErrors: c.errors, load1: os.loadavg()[0],
  };
  log(`round ${round} ${variant.padEnd(8)} ${s.gbps.toFixed(2)} Gbit/s (retr ${s.retrans}, mss ${s.mss})  ${Math.round(s.cps)} conn/s (${c.errors} errors)  load ${s.load1.toFixed(2)}`);
  return s;
}

function applyRemedies(): string {
  return REMEDY.split(',').map(applyRemedy).join('; ');
}

function applyRemedy(remedy: string): string {
  const p = lab.opts.prefix;
  const r = lab.ns('r');
  switch (remedy) {
    case 'none':
      return 'none';
    case 'pod-mtu': {
      // Calico's VXLAN setting (CNI-owned): pod veths 50 bytes below the underlay.
      for (const [pod, host] of [['pay1', 'pay1h']]) {
        nsx(lab.ns(pod), 'ip link set eth0 mtu 1450');
        nsx(lab.ns('n1'), `ip link set ${p}${host} mtu 1450`);
      }
      return 'zone pod veth MTU 1450 (VXLAN overhead taken at the pod, as Calico does)';
    }
    case 'underlay-mtu': {
      // Underlay 1550 so a 1500-byte pod packet fits in VXLAN unfragmented (agents do not own the underlay).
      for (const [ns, dev] of [[r, `${p}rn1`], [lab.ns('n1'), 'eth0'], [r, `${p}rg1`], [lab.ns('g1'), 'eth0']]) nsx(ns, `ip link set ${dev} mtu 1550`);
      return 'underlay veths (node1↔router↔gateway) MTU 1550';
    }
    case 'gro': {
      // NAPI GRO on every veth of the lab (veth default: off unless XDP); needs ethtool.
      const list = sh(`ip netns list`).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(p));
      for (const ns of list) {
        for (const dev of JSON.parse(nsx(ns, 'ip -j link show type veth')).map((l: any) => l.ifname)) nsx(ns, `ethtool -K ${dev} gro on`);
      }
      return 'GRO on on every lab veth (ethtool -K <veth> gro on)';
    }
    default:
      throw new Error(`unknown --remedy ${remedy}`);
  }
}

async function main(): Promise<void> {
  const skip = missingPrerequisite();
  if (skip) throw new Error(`cannot run: ${skip}`);
  for (const tool of ['iperf3', 'iptables']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`"${tool}" is not installed (apt-get install -y ${tool})`);
  }
  const iptVersion = spawnSync('iptables', ['-V'], { encoding: 'utf8' }).stdout.trim();
  buildAgents();
  lab.create();
  const pay = lab.addPod(1, 'pay1', '10.201.1.10');
  const plain = lab.addPod(1, 'pl1', '10.201.1.30');
  const hair = lab.addPod(1, 'hp1', '10.201.1.40');
  const p = lab.opts.prefix;
  const r = lab.ns('r');
  // hairpin: both directions of pod 10.201.1.40 through the gateway replica's namespace (plain routing there).
  nsx(r, `ip route add default via ${lab.gatewayPodIp(1)} dev ${p}rg1 onlink table 100`);
  nsx(r, `ip rule add from 10.201.1.40 iif ${p}rn1 lookup 100 priority 100`);
  nsx(r, `ip rule add to 10.201.1.40 iif ${p}rx lookup 100 priority 101`);
  nsx(lab.ns('g1'), 'sysctl -qw net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0');

  lab.writeConfig(zoneConfig(1));
  lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }], [1]));
  const server = lab.startServer();
  await server.waitFor(/listening/, 10_000, 'out');
  const cpsServer = lab.spawn('cps-server', lab.ns('x'), ['node', CPS, 'server', '--port', '8090']);
  await cpsServer.waitFor(/listening/, 10_000, 'out');
  lab.spawn('iperf3-server', lab.ns('x'), niced(['iperf3', '-s', '-p', '5201']));
  const gw = lab.startGateway(1);
  gwProc = gw;
  await gw.waitFor(/"egressIp":"198\.19\.100\.1"/, 20_000);
  const node = lab.startNode(1);
  await node.waitFor(/first sync done/, 20_000);
  await until('replica ready on node 1', () => /10\.201\.100\.11=ready/.test(node.err), 20_000);

  // The iptables variant's chain, loaded once; only the jump from FORWARD is toggled.
  // The node agents' data-path probes (UDP to the node range on the health port) go on to the agent's table first:
  // a chain that dropped them would make the replica dead. TCP still crosses all 10,000 rules.
  const rules = [`*filter`, `:${IPT_CHAIN} - [0:0]`, `-A ${IPT_CHAIN} -d 198.18.0.0/16 -p udp -m udp --dport 9440 -j RETURN`];
  for (let i = 0; i < FILLERS; i++) rules.push(`-A ${IPT_CHAIN} -d 100.${64 + (i >> 8)}.${i & 255}.0/24 -p tcp -m tcp --dport 443 -j ACCEPT`);
  rules.push(`-A ${IPT_CHAIN} -d ${SERVER_ALLOWED}/32 -p tcp -j ACCEPT`, `-A ${IPT_CHAIN} -j DROP`, 'COMMIT', '');
  const rulesFile = join(lab.dir, 'iptables.rules');
  writeFileSync(rulesFile, rules.join('\n'));
  const t0 = Date.now();
  nsx(lab.ns('g1'), `iptables-restore --noflush ${rulesFile}`);
  log(`iptables chain of ${FILLERS + 2} rules loaded in ${Date.now() - t0} ms (${iptVersion})`);

  const remedy = applyRemedies();
  log(`remedy: ${remedy}`);

  // Sanity: each variant really takes its path (source address seen by the server).
  const seen = async (pod: string) => (await lab.traffic(pod, ['tcp', '--to', `${SERVER_ALLOWED}:8080`, '--interval', '20', '--duration', '100'])).egress;
  const srcs = { plain: await seen(plain), hairpin: await seen(hair), gw: await seen(pay) };
  log(`sources seen by the server: ${JSON.stringify(srcs)}`);
  if (srcs.plain !== '10.201.1.30' || srcs.hairpin !== '10.201.1.40' || srcs.gw !== lab.egressIp(1)) throw new Error(`unexpected paths ${JSON.stringify(srcs)}`);
  const vxMtu = JSON.parse(nsx(lab.ns('n1'), `ip -j link show ${TUNNEL}`))[0].mtu;
  const vxOffloads = nsx(lab.ns('n1'), `ip -d link show ${TUNNEL}`).replace(/\s+/g, ' ').match(/gso_max_size \d+|gro_max_size \d+/g);
  log(`node VXLAN ${TUNNEL}: mtu ${vxMtu} ${vxOffloads?.join(' ')}`);

  const samples: Sample[] = [];
  const iptOn = () => iptables(`-I FORWARD 1 -i ${TUNNEL} -j ${IPT_CHAIN}`);
  const iptOff = () => iptables(`-D FORWARD -i ${TUNNEL} -j ${IPT_CHAIN}`);
  const iptHits = () => Number(/^\s*(\d+)\s+\d+\s+ACCEPT.*198\.19\.0\.10/m.exec(iptables(`-L ${IPT_CHAIN} -v -x -n | tail -n 2`))?.[1] ?? -1);
  // Warm-up (not recorded): first runs pay for page cache, JIT, neighbour resolution.
  await measure('warmup', pay, 0);
  await measure('warmup', plain, 0);
  const want = (v: string) => VARIANTS.includes(v);
  for (let round = 1; round <= ROUNDS; round++) {
    if (round > 1 && want('gw-10k')) await applyAllowList(1);
    // Alternate the order of plain and gw-1 from round to round: a load that drifts within a round favours neither.
    const pair: Array<[string, string]> = round % 2 ? [['plain', plain], ['gw-1', pay]] : [['gw-1', pay], ['plain', plain]];
    for (const [v, pod] of pair) if (want(v)) samples.push(await measure(v, pod, round));
    if (want('ipt-10k')) {
      const before = iptHits();
      iptOn();
      try {
        samples.push(await measure('ipt-10k', pay, round));
      } finally {
        iptOff();
      }
      if (!(iptHits() > before)) throw new Error('the iptables chain was not traversed');
    }
    if (want('hairpin')) samples.push(await measure('hairpin', hair, round));
    if (want('gw-10k')) {
      await applyAllowList(10_000);
      samples.push(await measure('gw-10k', pay, round));
    }
  }

  // VXLAN without a lower device gets MTU 1500: on a 1500-byte underlay its packets are IP-fragmented.
  const snmp = nsx(lab.ns('n1'), 'cat /proc/net/snmp').split('\n').filter((l) => l.startsWith('Ip:')).map((l) => l.trim().split(/\s+/));
  const fragCreates = Number(snmp[1][snmp[0].indexOf('FragCreates')]);
  log(`IP fragments created on node 1 during the run: ${fragCreates}`);
  const variants = ['plain', 'hairpin', 'gw-1', 'gw-10k', 'ipt-10k'].filter((v) => VARIANTS.includes(v));
  const med: Record<string, { gbps: number; cps: number; retrans: number }> = {};
  for (const v of variants) {
    const s = samples.filter((x) => x.variant === v);
    med[v] = { gbps: median(s.map((x) => x.gbps)), cps: median(s.map((x) => x.cps)), retrans: median(s.map((x) => x.retrans)) };
  }
  const ratio = (a: string, b: string, k: 'gbps' | 'cps') => med[a][k] / med[b][k];
  /** min / median / max of the ratio a/b taken round by round (both measured in the same round). */
  const perRound = (a: string, b: string, k: 'gbps' | 'cps') => {
    const r: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const x = samples.find((s) => s.variant === a && s.round === round);
      const y = samples.find((s) => s.variant === b && s.round === round);
      if (x && y) r.push(x[k] / y[k]);
    }
    return `${Math.min(...r).toFixed(3)} / ${median(r).toFixed(3)} / ${Math.max(...r).toFixed(3)}`;
  };
  const loads = samples.map((x) => x.load1);
  const machine = `${os.cpus()[0].model}, ${os.cpus().length} vCPU, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}, Node ${process.version}, `
    + `${spawnSync('iperf3', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].trim()}, ${iptVersion}`;
  const mmm = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)} / ${median(xs).toFixed(d)} / ${Math.max(...xs).toFixed(d)}`;
  const lines = [
    `Command: \`npm run bench:datapath${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}\` — ${ROUNDS} rounds, iperf3 -t ${SECONDS} -O 1 (1 stream), `
      + `connect loop ${CPS_MS} ms × ${CONCURRENCY} parallel; iperf3 niceness ${NICE}; remedy: ${remedy}; node VXLAN MTU ${vxMtu}; IP fragments created on node 1: ${fragCreates}`,
    `Machine: ${machine}; 1-minute load average during the samples min / median / max ${mmm(loads)}`,
    '',
    '| variant | TCP Gbit/s min / median / max | runs | retransmits (median) | new conn/s (median) | runs |',
    '|---|---|---|---|---|---|',
    ...variants.map((v) => {
      const s = samples.filter((x) => x.variant === v);
      return `| ${v} | ${mmm(s.map((x) => x.gbps))} | ${s.map((x) => x.gbps.toFixed(2)).join(' ')} | ${med[v].retrans} | ${Math.round(med[v].cps)} | ${s.map((x) => Math.round(x.cps)).join(' ')} |`;
    }),
    '',
    '| ratio | throughput (of medians) | throughput per round min / median / max | conn/s (of medians) | target |',
    '|---|---|---|---|---|',
    ...([
      ['gw-1', 'plain', 'throughput >= 0.90'], ['gw-10k', 'gw-1', '>= 0.95'], ['gw-10k', 'plain', ''], ['ipt-10k', 'gw-1', '(comparison)'],
      ['hairpin', 'plain', '(cost of the extra hops alone)'], ['gw-1', 'hairpin', '(cost of VXLAN + SNAT + allow-list)'],
    ] as Array<[string, string, string]>).filter(([a, b]) => variants.includes(a) && variants.includes(b)).map(([a, b, target]) =>
      `| ${a} / ${b} | ${ratio(a, b, 'gbps').toFixed(3)} | ${perRound(a, b, 'gbps')} | ${ratio(a, b, 'cps').toFixed(3)} | ${target} |`),
    '',
    `Allow-list switches 1 <-> 10,000 prefixes, the agent's table update (stage + switch nft transactions): ${allowListUpdates.map((u) => `+${u.added}/-${u.removed} ${u.ms} ms`).join(', ') || 'none logged'}`,
  ];
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  mkdirSync(join(REPO, '.bench'), { recursive: true });
  writeFileSync(join(REPO, '.bench', `datapath-${REMEDY}.json`), JSON.stringify({ machine, remedy, rounds: ROUNDS, samples, medians: med, allowListUpdates }, null, 2));
  writeFileSync(join(REPO, '.bench', `datapath-${REMEDY}.md`), report + '\n');
}

// --allow-list-changes: the allow-list change benchmark instead (allow-list-changes.ts, its own lab);
// --set-layouts: the set layouts compared with plain nft (set-layouts.ts); --ipv6: IPv6 against IPv4 through the
// gateway (ipv6.ts, its own lab); --dns: only the DNS proxy benchmark (dns-proxy.ts).
const flag = (name: string): boolean => process.argv.includes(name);
const alone = flag('--dns') ? () => runDnsBench()
  : flag('--allow-list-changes') ? runAllowListChanges
    : flag('--set-layouts') ? runSetLayouts
      : flag('--ipv6') ? runIpv6 : undefined;
(alone ? alone(process.argv.slice(2)) : main()).then(() => {
  cleanup();
  process.exit(0);
}, (e) => {
  process.stderr.write(`bench:datapath failed: ${(e as Error).stack}\n`);
  for (const pr of lab.procs.filter((x) => /gateway|node/.test(x.name))) process.stderr.write(`--- ${pr.name} stderr (tail):\n${pr.err.slice(-1500)}\n`);
  cleanup();
  process.exit(1);
});
