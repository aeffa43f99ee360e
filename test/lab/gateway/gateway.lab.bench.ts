/**
 * The gateway's figures in the real-cluster lab (BENCHMARKS.md "Gateway on real Calico"): `npm run bench:lab`, as root,
 * with the lab toolchain built. Not part of `npm test`: it asserts only that traffic flowed, and prints the figures.
 * - failover gap: the longest gap of a 1,000 packets/s UDP flow whose replica is lost (dies unseen by the API: the
 *   probe path; or its Pod is deleted through the API: the EndpointSlice path), and the survivors' worst gap;
 * - throughput: one iperf3 TCP stream through the gateway vs the same pod-to-partner stream routed by Felix alone
 *   (a pod outside every zone, natOutgoing), interleaved rounds, ratio per round;
 * - a 10,000-prefix allow-list vs the example's own list, interleaved (the set rebuilt and swapped between rounds).
 * EGRESS_BENCH_ROUNDS (default 5), EGRESS_BENCH_TRIALS (default 5), EGRESS_BENCH_SECONDS (default 5). Needs iperf3 and
 * ethtool (the wire-like underlay variant).
 */
import { loadavg } from 'os';
import { buildAgents } from '../../agent/e2e/netns-lab';
import { LabPod, nsRun, waitFor } from '../lab';
import { describeLab } from '../suite';
import { GatewayLab, median } from './gateway-lab';

jest.setTimeout(3_600_000);

const ROUNDS = Number(process.env.EGRESS_BENCH_ROUNDS ?? 5);
const TRIALS = Number(process.env.EGRESS_BENCH_TRIALS ?? 5);
const SECONDS = Number(process.env.EGRESS_BENCH_SECONDS ?? 5);
const print = (line: string) => console.log(line); // eslint-disable-line no-console
const stats = (xs: number[], digits = 3) => `min ${Math.min(...xs).toFixed(digits)} / median ${median(xs).toFixed(digits)} / max ${Math.max(...xs).toFixed(digits)}`;
const loads: number[] = [];
const noteLoad = () => loads.push(loadavg()[0]);

describeLab('bench: the egress gateway in the real-cluster lab', () => {
  let g: GatewayLab;
  let client: LabPod;
  let outside: LabPod;

  beforeAll(async () => {
    buildAgents();
    g = await GatewayLab.start();
    for (const node of [1, 2]) g.replicas.push(await g.startReplica(node));
    client = await g.lab.createPod({ namespace: 'partners', name: 'partner-sync', node: 0, labels: { app: 'sync' } });
    outside = await g.lab.createPod({ namespace: 'plain', name: 'outside', node: 0, labels: { app: 'x' } });
    for (const n of g.lab.nodes) g.startNodeAgent(n.name);
    await waitFor('replicas ready on node1', () => g.replicas.every((r) => g.healthOn('node1', r) === 'ready'), 90_000, 200);
    await g.lab.waitForEndpoint(client);
    await g.lab.waitForEndpoint(outside);
    await g.lab.waitForFelix();
  });
  afterAll(() => g?.lab.stop());

  test('failover gap: probe path and EndpointSlice path', async () => {
    for (const how of ['dies', 'deleted'] as const) {
      const gaps: number[] = [];
      const survivors: number[] = [];
      const verdicts: number[] = [];
      for (let i = 0; i < TRIALS; i++) {
        noteLoad();
        const t = await g.failoverTrial(client, how);
        expect(t.moved.length).toBeGreaterThan(0);
        gaps.push(t.gap);
        survivors.push(t.survivorsWorstGap);
        if (t.deadAfterMs !== undefined) verdicts.push(t.deadAfterMs);
      }
      print(`FAILOVER ${how === 'dies' ? 'probe path (replica dies)' : 'EndpointSlice path (Pod deleted)'}: gap ms ${stats(gaps, 0)} over ${gaps.length} trials; `
        + `survivors' worst gap ms ${stats(survivors, 0)}${verdicts.length ? `; dead verdict after ms ${stats(verdicts, 0)}` : ''}`);
    }
  });

  /** Interleaved rounds, the order alternating (a slower machine slows both runs of a round): gateway / plain. */
  const throughput = (label: string) => {
    const ratios: number[] = [];
    const gw: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      noteLoad();
      const pair = i % 2 === 0
        ? [g.iperf(client, SECONDS), g.iperf(outside, SECONDS)]
        : [g.iperf(outside, SECONDS), g.iperf(client, SECONDS)].reverse();
      gw.push(pair[0] / 1e9);
      plain.push(pair[1] / 1e9);
      ratios.push(pair[0] / pair[1]);
    }
    print(`THROUGHPUT gateway / plain, ${label} (${ROUNDS} rounds of ${SECONDS} s): ratio ${stats(ratios)}; gateway Gbit/s ${stats(gw, 2)}; plain Gbit/s ${stats(plain, 2)}`);
    expect(Math.min(...gw, ...plain)).toBeGreaterThan(0);
  };

  test('throughput: one TCP stream through the gateway vs Felix-routed forwarding, the lab\'s veths as they are', () => {
    // veths pass 64 KB GSO frames from the pod to the partner on the plain path, which no wire does; the lab's bridge
    // hands the node-to-gateway VXLAN frames on MTU-sized (see BENCHMARKS.md).
    throughput('veths as they are');
  });

  test('throughput: the same with a wire-like underlay (frames at most the MTU between nodes, GRO on receive)', () => {
    const veths = (ns: string) => JSON.parse(nsRun(ns, ['ip', '-j', 'link', 'show', 'type', 'veth']) || '[]').map((l: any) => l.ifname as string);
    const wire = (ns: string, dev: string) => nsRun(ns, ['ethtool', '-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'on']);
    for (const n of g.lab.nodes) wire(n.netns, 'eth0');
    for (const d of veths(g.lab.routerNetns)) wire(g.lab.routerNetns, d);
    wire(g.lab.externalNetns, 'eth0');
    throughput('wire-like underlay (ethtool -K tso off gso off gro on: nodes\' eth0, router ports, partner)');
  });

  test('throughput: a 10,000-prefix allow-list vs the example\'s own list', async () => {
    const base = JSON.parse(g.goodConfig);
    const zone = base.zones.find((z: any) => z.name === 'partners');
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
      noteLoad();
      await swapTo(big);
      const withBig = g.iperf(client, SECONDS);
      await swapTo(g.goodConfig);
      const withSmall = g.iperf(client, SECONDS);
      ratios.push(withBig / withSmall);
    }
    print(`ALLOW-LIST 10,000 prefixes / ${JSON.parse(g.goodConfig).zones.find((z: any) => z.name === 'partners').allow.length} prefixes (${ROUNDS} rounds): ratio ${stats(ratios)}`);
    print(`load average (1 min) during the bench: ${stats(loads, 2)}`);
    expect(ratios.length).toBe(ROUNDS);
  });
});
