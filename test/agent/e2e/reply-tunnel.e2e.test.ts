/**
 * Issue 22, item 1, on real kernels: the replies come back through the tunnel the request took. Two gateway
 * replicas, two nodes (pods on both: the replica must tell the nodes apart), the agents' real entrypoints. Counted:
 * replies the replicas marked into their tunnels, VXLAN frames from the replicas arriving at each node, and
 * packets leaving a replica's pod interface towards a pod un-encapsulated (must be none: that is what Felix's
 * anti-spoofing and conntrack-invalid checks dropped before).
 */
import { buildAgents, describeNetns, labConfig, labState, NetnsLab, nsx, Proc, SERVER_ALLOWED, until } from './netns-lab';

const COUNTERS = 'cdk8s_e2e_count';
const counter = (ns: string, name: string) => Number(new RegExp(`counter ${name} \\{\\s*packets (\\d+)`).exec(nsx(ns, `nft list table inet ${COUNTERS}`))?.[1] ?? NaN);

describeNetns('replies through the tunnel (network namespaces)', () => {
  const lab = new NetnsLab({ prefix: 'er', gateways: 2 });
  const procs: Proc[] = [];
  let pod1 = '';
  let pod2 = '';

  beforeAll(async () => {
    buildAgents();
    lab.create();
    pod1 = lab.addPod(1, 'pay1', '10.201.1.10');
    pod2 = lab.addPod(2, 'pay2', '10.201.2.10');
    lab.writeConfig(labConfig(lab));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }], [1, 2]));
    lab.writeState(2, labState(lab, [{ ip: '10.201.2.10', zone: 'payments' }], [1, 2]));
    const server = lab.startServer();
    await server.waitFor(/listening/, 10_000, 'out');
    for (const i of [1, 2]) procs.push(lab.startGateway(i));
    for (const i of [1, 2]) await procs[i - 1].waitFor(new RegExp(`"egressIp":"${lab.egressIp(i).replace(/\./g, '\\.')}"`));
    for (const n of [1, 2]) procs.push(lab.startNode(n));
    for (const p of procs.slice(2)) await p.waitFor(/first sync done/);
    for (const p of procs.slice(2)) await until('both replicas ready', () => /10\.201\.100\.11=ready/.test(p.err) && /10\.201\.100\.12=ready/.test(p.err));
    // Counters of our own, outside the agents' tables: plain replies leaving a replica, tunnel frames reaching a node.
    const count = (ns: string, name: string, hook: string, match: string) => nsx(ns, `nft -f - <<'EOF'
table inet ${COUNTERS} {
  counter ${name} {
  }
  chain count {
    type filter hook ${hook} priority 100; policy accept;
    ${match} counter name ${name}
  }
}
EOF`);
    for (const i of [1, 2]) count(lab.ns(`g${i}`), 'plain_replies', 'postrouting', `oifname "eth0" ip saddr ${SERVER_ALLOWED} ip daddr 10.201.0.0/16`);
    for (const n of [1, 2]) count(lab.ns(`n${n}`), 'tunnel_in', 'input', 'ip saddr 10.201.100.0/24 udp dport 4789');
  }, 120_000);

  afterAll(() => {
    if (process.env.EGRESS_E2E_DEBUG) for (const p of procs) console.log(`${p.name}:\n${p.err}`);
    lab.destroy();
    lab.removeDir();
  });

  test('UDP and TCP replies reach pods on both nodes through the tunnels; none leaves a replica outside them', async () => {
    const before = [1, 2].map((n) => counter(lab.ns(`n${n}`), 'tunnel_in'));
    const udp = await Promise.all([pod1, pod2].map((p) => lab.traffic(p, ['udp', '--to', `${SERVER_ALLOWED}:9000`, '--flows', '8', '--interval', '20', '--duration', '600'])));
    for (const flows of udp) {
      for (const f of flows) expect(f.received).toBeGreaterThan(f.sent * 0.9);
    }
    const tcp = await lab.traffic(pod2, ['tcp', '--to', `${SERVER_ALLOWED}:8080`, '--interval', '20', '--duration', '400']);
    expect(tcp.connected).toBe(true);
    expect(tcp.echoes).toBeGreaterThan(0);
    const after = [1, 2].map((n) => counter(lab.ns(`n${n}`), 'tunnel_in'));
    // Each node got its own pod's replies inside VXLAN from the replicas' own pod addresses (16 UDP flows' echoes, at least 100 per node).
    for (const n of [0, 1]) expect(after[n] - before[n]).toBeGreaterThan(100);
    for (const i of [1, 2]) expect(counter(lab.ns(`g${i}`), 'plain_replies')).toBe(0);
    const replies = [1, 2].map((i) => Number(/counter replies \{\s*packets (\d+)/.exec(nsx(lab.ns(`g${i}`), 'nft list table inet cdk8s_egress_gw_reply'))?.[1]));
    // Every echo the pods received was a reply the replicas marked into a tunnel.
    const echoes = udp.flat().reduce((a, f) => a + f.received, 0) + tcp.echoes;
    expect(replies[0] + replies[1]).toBeGreaterThanOrEqual(echoes);
  });
});
