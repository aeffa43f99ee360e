/**
 * The gateway's figures in the real-cluster lab (BENCHMARKS.md "Gateway on real Calico"; issue 22, section 4):
 * `npm run bench:lab`, as root, with the lab toolchain built. Not part of `npm test`: it asserts only that traffic
 * flowed, and prints the figures, then a table BENCHMARKS.md takes as is, with `uptime` at the start and the end.
 * - failover gap, as a distribution: the longest gap of a 1,000 packets/s UDP flow whose replica is lost (dies unseen
 *   by the API: the probe path; or its Pod is deleted through the API: the EndpointSlice path);
 * - the agents against the best hand-built path with the same hops (hand-built-path.ts), 1 and 8 TCP streams,
 *   interleaved rounds, the lab's veths as they are and with a wire-like underlay;
 * - with the wire-like underlay: the gateway against Felix-routed forwarding (a pod outside every zone, natOutgoing),
 *   and packets per GB at every hop of each path (hop-counters.ts);
 * - false failovers: dead verdicts on every node during all the throughput rounds and a soak of 8 streams;
 * - false failovers of idle replicas while 8 streams on the hand-built path saturate the nodes, the probe volley
 *   (probe-volley.ts) against none, the node agents restarted for each half of a round;
 * - a 10,000-prefix allow-list vs the example's own list, interleaved (the set swapped in place between rounds).
 * The failover trials run last (on the wire-like underlay: it does not change a 1,000 packets/s flow), so a broken
 * throughput figure shows early. EGRESS_BENCH_ROUNDS (default 5), EGRESS_BENCH_TRIALS (default 20), EGRESS_BENCH_SECONDS (default 5),
 * EGRESS_BENCH_SOAK_SECONDS (default 300), EGRESS_BENCH_IDLE_SECONDS (default 30), EGRESS_BENCH_NODE_ARGS (the node agents' extra flags), EGRESS_BENCH_PROBE (interval/timeout/threshold; default: the emitted one).
 * Needs iperf3 and ethtool.
 */
import { BenchReport, spread, uptime } from './bench-report';
import { GatewayLab, kill } from './gateway-lab';
import { HandBuiltPath } from './hand-built-path';
import { hopsBetween, offloadsOff, readCounters } from './hop-counters';
import { buildAgents } from '../../agent/e2e/netns-lab';
import { LabPod, nsRun, waitFor } from '../lab';
import { describeLab } from '../suite';

jest.setTimeout(3_600_000);

const ROUNDS = Number(process.env.EGRESS_BENCH_ROUNDS ?? 5);
const TRIALS = Number(process.env.EGRESS_BENCH_TRIALS ?? 20);
const SECONDS = Number(process.env.EGRESS_BENCH_SECONDS ?? 5);
const SOAK_SECONDS = Number(process.env.EGRESS_BENCH_SOAK_SECONDS ?? 300);
const IDLE_SECONDS = Number(process.env.EGRESS_BENCH_IDLE_SECONDS ?? 30);
const NODE_ARGS = (process.env.EGRESS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --probes-only: what a figure owes to one mechanism
const PROBE = process.env.EGRESS_BENCH_PROBE; // interval/timeout/threshold instead of the emitted default, e.g. 25/25/3
const report = new BenchReport();

describeLab('bench: the egress gateway in the real-cluster lab', () => {
  let g: GatewayLab;
  let client: LabPod;
  let outside: LabPod;
  let hand: HandBuiltPath;
  let probe = '';
  /** Dead verdicts any node agent logged since the marks (a replica declared dead while it forwards: false failover). */
  const markLogs = () => g.lab.nodes.map((n) => g.logOf(`egress-nat-${n.name}`).length);
  /** Each dead verdict since the marks, noted with the phase it fell in and what it rested on (DeadEvidence). */
  const deadSince = (marks: number[], phase: string) => {
    const verdicts = g.lab.nodes.flatMap((n, i) => {
      const changes = g.logOf(`egress-nat-${n.name}`).slice(marks[i]).split('\n').filter((l) => l.includes('"replica health changed"')).map((l) => JSON.parse(l));
      // How soon the replica was back (an answer that was late, not lost, brings it back within a few ms).
      return changes.filter((c) => c.to === 'dead').map((c) => {
        const back = changes.find((b) => b.ip === c.ip && b.from === 'dead' && b.time >= c.time);
        return { node: n.name, ...c, backAfterMs: back ? Date.parse(back.time) - Date.parse(c.time) : undefined };
      });
    });
    for (const v of verdicts) {
      report.note(`dead verdict during "${phase}": ${v.node} on ${v.ip} at ${v.time}, silent ${v.silentMs} ms, ${v.probesMissed} probes missed, `
        + `last reply ${v.lastReplyAgoMs ?? '-'} ms before; back after ${v.backAfterMs ?? '-'} ms`);
    }
    return verdicts.length;
  };
  /** node1's probe counters (egress_nat_probes_sent_total, egress_nat_probe_rtt_seconds histogram), summed over gateways. */
  const probeCounts = () => {
    const args: string[] = g.kind('DaemonSet').spec.template.spec.containers[0].args;
    const port = args[args.indexOf('--health-port') + 1];
    const body = nsRun(g.lab.nodes[0].netns, ['curl', '-sf', '--max-time', '3', `http://127.0.0.1:${port}/metrics`], { timeoutMs: 5000 });
    const sum = (re: RegExp) => [...body.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
    const le = (s: number) => sum(new RegExp(`^egress_nat_probe_rtt_seconds_bucket\\{le="${s}",[^}]*\\} (\\d+)`, 'gm'));
    return {
      sent: sum(/^egress_nat_probes_sent_total\{[^}]*\} (\d+)/gm),
      answered: sum(/^egress_nat_probe_rtt_seconds_count\{[^}]*\} (\d+)/gm),
      le10: le(0.01),
      le25: le(0.025),
      le75: le(0.075),
      volleys: sum(/^egress_nat_probe_volleys_total\{[^}]*\} (\d+)/gm),
    };
  };
  /** The probes of one phase on node1: how many went unanswered, and how late the answers came. */
  const probeNote = (phase: string, before: ReturnType<typeof probeCounts>) => {
    const a = probeCounts();
    const d = (k: keyof typeof a) => a[k] - before[k];
    const pct = (n: number) => `${((100 * n) / Math.max(1, d('answered'))).toFixed(2)} %`;
    report.note(`probes on node1 during "${phase}": ${d('sent')} sent (${d('volleys')} volleys), ${d('sent') - d('answered')} unanswered; answers over 10 ms ${pct(d('answered') - d('le10'))}, `
      + `over 25 ms ${pct(d('answered') - d('le25'))}, over 75 ms ${pct(d('answered') - d('le75'))}`);
    return { lost: d('sent') - d('answered'), sent: d('sent') };
  };
  let deadDuringTraffic = 0;
  let trafficSeconds = 0;

  beforeAll(async () => {
    report.note(`uptime at the start: ${uptime()}`);
    buildAgents();
    g = await GatewayLab.start();
    if (PROBE) {
      // Another probe setting than the emitted default, as `failureDetection` would emit it.
      const [intervalMs, timeoutMs, failureThreshold] = PROBE.split('/').map(Number);
      const c = JSON.parse(g.goodConfig);
      for (const gw of c.gateways) gw.probe = { intervalMs, timeoutMs, failureThreshold };
      g.goodConfig = JSON.stringify(c, null, 2);
      g.writeConfig(g.goodConfig);
    }
    probe = JSON.stringify(JSON.parse(g.goodConfig).gateways[0].probe);
    for (const node of [1, 2]) g.replicas.push(await g.startReplica(node));
    client = await g.lab.createPod({ namespace: 'partners', name: 'partner-sync', node: 0, labels: { app: 'sync' } });
    outside = await g.lab.createPod({ namespace: 'plain', name: 'outside', node: 0, labels: { app: 'x' } });
    hand = await HandBuiltPath.build(g);
    for (const n of g.lab.nodes) g.startNodeAgent(n.name, [], NODE_ARGS);
    await waitFor('replicas ready on node1', () => g.replicas.every((r) => g.healthOn('node1', r) === 'ready'), 90_000, 200);
    for (const p of [client, outside, hand.client]) await g.lab.waitForEndpoint(p);
    await g.lab.waitForFelix();
    g.iperf(hand.client, 1); // the hand-built path carries traffic before it is measured
  });
  afterAll(() => {
    report.note(`uptime at the end: ${uptime()}`);
    console.log(`BENCHMARKS table (probe ${probe}):\n${report.markdown()}`); // eslint-disable-line no-console
    g?.lab.stop();
  });

  /** Interleaved rounds, the order alternating (a slower moment slows both runs of a round): a / b, per round. */
  const compare = (figure: string, a: () => number, b: () => number, goal = '') => {
    const marks = markLogs();
    const probesBefore = probeCounts();
    const ratios: number[] = [];
    const as: number[] = [];
    const bs: number[] = [];
    const failed: string[] = [];
    const attempt = (f: () => number) => {
      try {
        return f();
      } catch (e) {
        failed.push((e as Error).message);
        return NaN;
      }
    };
    for (let i = 0; i < ROUNDS; i++) {
      const [x, y] = i % 2 === 0 ? [attempt(a), attempt(b)] : [attempt(b), attempt(a)].reverse();
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      as.push(x / 1e9);
      bs.push(y / 1e9);
      ratios.push(x / y);
    }
    trafficSeconds += 2 * ROUNDS * SECONDS;
    deadDuringTraffic += deadSince(marks, figure);
    probeNote(figure, probesBefore);
    const failures = failed.length ? `; ${failed.length} runs failed: ${[...new Set(failed)].join(' | ')}` : '';
    report.row(`${figure} (${ratios.length} of ${ROUNDS} rounds of ${SECONDS} s)`, `${ratios.length ? spread(ratios) : '-'} (${as.length ? spread(as, 2) : '-'} vs ${bs.length ? spread(bs, 2) : '-'} Gbit/s)${failures}`, goal);
    expect(ratios.length).toBeGreaterThan(0);
  };
  const agentsVsHandBuilt = (underlay: string) => {
    for (const streams of [1, 8]) {
      compare(`throughput, agents / hand-built path, ${streams} TCP stream${streams > 1 ? 's' : ''}, ${underlay}`,
        () => g.iperf(client, SECONDS, streams), () => g.iperf(hand.client, SECONDS, streams), '>= 0.95');
    }
  };

  test('the agents against the best hand-built path with the same hops, the lab\'s veths as they are', () => {
    agentsVsHandBuilt('veths as they are');
  });

  test('wire-like underlay: agents / hand-built, gateway / Felix-routed, packets per GB at every hop', () => {
    const veths = (ns: string) => JSON.parse(nsRun(ns, ['ip', '-j', 'link', 'show', 'type', 'veth']) || '[]').map((l: any) => l.ifname as string);
    // Frames at most the MTU between hosts, aggregated again on receive, UDP (VXLAN) aggregated when forwarded.
    const wire = (ns: string, dev: string) => nsRun(ns, ['ethtool', '-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'on', 'rx-udp-gro-forwarding', 'on']);
    for (const n of g.lab.nodes) wire(n.netns, 'eth0');
    for (const d of veths(g.lab.routerNetns)) wire(g.lab.routerNetns, d);
    wire(g.lab.externalNetns, 'eth0');
    const underlay = 'wire-like underlay (ethtool -K tso off gso off gro on rx-udp-gro-forwarding on: nodes\' eth0, router ports, partner)';
    // What the agents leave of the offloads on their tunnels (nothing switched off is the expectation).
    const tunnels = (ns: string) => JSON.parse(nsRun(ns, ['ip', '-j', 'link', 'show', 'type', 'vxlan']) || '[]').map((l: any) => l.ifname as string)
      .filter((d: string) => !d.startsWith('hb'));
    const off = [g.lab.nodes[0], ...g.replicas.map((r) => r.pod)].flatMap((at) => tunnels(at.netns).map((d: string) => `${at.name}/${d}: ${offloadsOff(at.netns, d).join(', ') || 'none'}`));
    report.note(`offloads switched off on the agents' VXLAN devices (node1 and the replicas): ${off.join('; ')}`);
    compare(`throughput, gateway / Felix-routed forwarding (natOutgoing pod), 1 TCP stream, ${underlay}`,
      () => g.iperf(client, SECONDS), () => g.iperf(outside, SECONDS), '>= 0.6 (was 0.344)');
    agentsVsHandBuilt(underlay);
    const roles: Record<string, string> = { router: g.lab.routerNetns, partner: g.lab.externalNetns };
    for (const n of g.lab.nodes) roles[n.name] = n.netns;
    for (const r of g.replicas) roles[`replica@${r.pod.node.name}`] = r.pod.netns;
    for (const h of hand.gateways) roles[`hand-built-gw@${h.node.name}`] = h.netns;
    for (const [name, pod] of [['agents', client], ['hand-built', hand.client], ['Felix-routed', outside]] as const) {
      const before = readCounters({ ...roles, client: pod.netns });
      const bps = g.iperf(pod, SECONDS);
      const hops = hopsBetween(before, readCounters({ ...roles, client: pod.netns }), (bps * SECONDS) / 8 / 2);
      report.note(`packets per GB, ${name} path (${(bps / 1e9).toFixed(2)} Gbit/s, 1 stream): ${hops.map((h) => `${h.hop} ${h.direction} ${h.packetsPerGb.toLocaleString('en')}`).join('; ')}`);
    }
  });

  test('no false failover under load: a soak of 8 streams through the gateway', () => {
    const marks = markLogs();
    const probesBefore = probeCounts();
    let outcome: string;
    try {
      outcome = `${(g.iperf(client, SOAK_SECONDS, 8) / 1e9).toFixed(2)} Gbit/s`;
    } catch (e) {
      outcome = `iperf3 failed: ${(e as Error).message}`;
    }
    trafficSeconds += SOAK_SECONDS;
    deadDuringTraffic += deadSince(marks, 'soak');
    probeNote('soak', probesBefore);
    report.row(`false failovers (dead verdicts on any node) during ${trafficSeconds} s of full-rate traffic (all throughput rounds, then ${SOAK_SECONDS} s of 8 streams through the gateway: ${outcome}; probe ${probe})`,
      String(deadDuringTraffic), '0');
  });

  test('false failovers of idle replicas while other traffic saturates the nodes: the probe volley against none', async () => {
    /** Every node agent restarted with these extra arguments; back when node1 sees both replicas ready again. */
    const restartAgents = async (extra: string[]) => {
      const marks = markLogs();
      for (const n of g.lab.nodes) {
        kill(g.nodeAgents.get(n.name), 'SIGKILL');
        g.startNodeAgent(n.name, [], extra);
      }
      await waitFor('replicas ready on node1 after the restart', () => g.replicas.every((r) => g.healthOn('node1', r, marks[0]) === 'ready'), 60_000, 200);
    };
    const modes = [{ name: 'with the volley', args: [] }, { name: 'without (--no-probe-volley)', args: ['--no-probe-volley'] }];
    const totals = new Map(modes.map((m) => [m.name, { dead: 0, lost: 0, sent: 0, rounds: 0 }]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const m of i % 2 === 0 ? modes : [...modes].reverse()) {
        await restartAgents(m.args);
        const marks = markLogs();
        const before = probeCounts();
        const phase = `idle replicas, 8 TCP streams on the hand-built path, ${m.name}, round ${i + 1}`;
        try {
          g.iperf(hand.client, IDLE_SECONDS, 8);
        } catch (e) {
          report.note(`${phase}: iperf3 failed: ${(e as Error).message}`);
        }
        const tot = totals.get(m.name)!;
        tot.dead += deadSince(marks, phase);
        const p = probeNote(phase, before);
        tot.lost += p.lost;
        tot.sent += p.sent;
        tot.rounds++;
      }
    }
    await restartAgents(NODE_ARGS); // as the run started, for the tests after this one
    for (const m of modes) {
      const tot = totals.get(m.name)!;
      report.row(`false failovers of idle replicas while 8 streams on the hand-built path saturate the nodes (wire-like underlay), ${m.name}, `
        + `${tot.rounds} × ${IDLE_SECONDS} s; probes lost on node1: ${((100 * tot.lost) / Math.max(1, tot.sent)).toFixed(1)} % of ${tot.sent}`, String(tot.dead), '0');
    }
    expect(totals.get(modes[0].name)!.rounds).toBe(ROUNDS);
  });

  test('throughput: a 10,000-prefix allow-list vs the example\'s own list', async () => {
    const base = JSON.parse(g.goodConfig);
    const zone = base.zones.find((z: any) => z.name === 'partners');
    const small = zone.allow.length;
    zone.allow = [...zone.allow, ...Array.from({ length: 10_000 - zone.allow.length }, (_, i) => ({
      cidr: `100.${64 + Math.floor(i / 256)}.${i % 256}.0/24`, protocol: 'tcp', ports: ['443'],
    }))];
    const big = JSON.stringify(base, null, 2);
    const swapTo = async (text: string) => {
      const marks = g.replicas.map((r) => g.logOf(r.log).length);
      g.writeConfig(text);
      for (const [i, r] of g.replicas.entries()) {
        await waitFor('allow-list swapped', () => /"msg":"table updated"/.test(g.logOf(r.log).slice(marks[i])), 120_000, 50);
      }
    };
    const ratios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await swapTo(big);
      const withBig = g.iperf(client, SECONDS);
      await swapTo(g.goodConfig);
      ratios.push(withBig / g.iperf(client, SECONDS));
    }
    report.row(`throughput, 10,000-prefix allow-list / the example's ${small} prefixes, 1 stream (${ROUNDS} rounds, the wire-like underlay)`, spread(ratios), '>= 0.95 (median)');
    expect(ratios.length).toBe(ROUNDS);
  });

  test('failover gap as a distribution: probe path and EndpointSlice path', async () => {
    for (const how of ['dies', 'deleted'] as const) {
      const gaps: number[] = [];
      const survivors: number[] = [];
      const verdicts: number[] = [];
      for (let i = 0; i < TRIALS; i++) {
        const t = await g.failoverTrial(client, how);
        expect(t.moved.length).toBeGreaterThan(0);
        gaps.push(t.gap);
        survivors.push(t.survivorsWorstGap);
        if (t.deadAfterMs !== undefined) verdicts.push(t.deadAfterMs);
      }
      const path = how === 'dies' ? 'probe path: the replica dies unseen by the API (agent killed, interface cut)' : 'EndpointSlice path: the Pod deleted through the API (grace 0) while it forwards';
      report.row(`failover gap ms, ${path}, ${gaps.length} trials (probe ${probe})`, spread(gaps, 0, true), how === 'dies' ? 'p95 <= 250, median <= 100' : '');
      if (verdicts.length) report.row('  dead verdict on node1 after the loss, ms', spread(verdicts, 0, true));
      report.row('  flows on the surviving replica meanwhile: worst gap, ms', spread(survivors, 0, true));
    }
  });
});
