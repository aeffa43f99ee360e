/**
 * Issue 24 on real kernels (namespace prefix "v6"): IPv6 through the gateway over the IPv4 underlay. Two gateway
 * replicas with an IPv4 and an IPv6 egress IP each, a dual-stack zone pod on node 1, the agents' real entrypoints,
 * a version-2 data-path document. Counted at the partner (the external server): which source each flow's packets
 * arrive from, and every IPv6 packet from a cluster range or to the denied address (must stay 0).
 * - allowed IPv6 leaves with an IPv6 egress address; the replies come back through the tunnel;
 * - denied IPv6: 0 packets at the partner;
 * - a v4 and a v6 flow from the same pod each leave with their own family's egress address;
 * - failover per family: a replica that stops forwarding IPv6 (its IPv6 egress IP gone) loses its IPv6 flows to the
 *   survivor, and keeps its IPv4 flows;
 * - fail closed: with no replica, 0 packets of either family reach the partner.
 */
import { AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labState, NetnsLab, nsx, Proc, SERVER_ALLOWED, sleep, until } from './netns-lab';
import { addIpv6, addPodIpv6, egressIp6, labConfigV6, podIp6, SERVER6_ALLOWED, SERVER6_DENIED, serverCounts6 } from './netns-lab-ipv6';

describeNetns('IPv6 through the gateway (network namespaces, IPv4 underlay)', () => {
  const lab = new NetnsLab({ prefix: 'v6', gateways: 2 });
  const gateways: Proc[] = [];
  let node: Proc;
  let pay1 = '';
  const pod6 = podIp6(1, 10);
  const to6 = (ip: string, port: number) => `[${ip}]:${port}`;
  const udp = (to: string, flows: number, everyMs: number, durationMs: number) =>
    lab.traffic(pay1, ['udp', '--to', to, '--flows', String(flows), '--interval', String(everyMs), '--duration', String(durationMs)]);
  const lastReplicas = () => node.err.trim().split('\n').filter((l) => l.includes('"replicas"')).pop() ?? '';

  beforeAll(async () => {
    buildAgents();
    lab.create();
    addIpv6(lab);
    pay1 = lab.addPod(1, 'pay1', '10.201.1.10');
    addPodIpv6(lab, 1, 'pay1', pod6);
    lab.writeConfig(labConfigV6(lab, { probe: { intervalMs: 50, timeoutMs: 50, failureThreshold: 3 } }));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }, { ip: pod6, zone: 'payments' }], [1, 2]));
    const server = lab.spawn('server6', lab.ns('x'), ['node', `${__dirname}/traffic.js`, 'server', '--udp', '9000', '--tcp', '8080,8081', '--v6', SERVER6_ALLOWED, '--quiet', 'udp']);
    await server.waitFor(/listening/, 10_000, 'out');
    // As the Deployment of a dual-stack gateway passes it (status.podIPs, the IPv6 one first in an IPv6-primary cluster).
    for (const i of [1, 2]) {
      gateways.push(lab.spawn(`gateway-${i}`, lab.ns(`g${i}`), [AGENT_NODE, AGENT_MAIN, 'gateway', '--config', lab.configPath, '--gateway', 'gw',
        '--pod-ip', `fd00:10:201:100::${i},${lab.gatewayPodIp(i)}`]));
    }
    for (const i of [1, 2]) await gateways[i - 1].waitFor(new RegExp(`"egressIp6":"${egressIp6(i)}"`), 20_000);
    node = lab.startNode(1);
    await node.waitFor(/first sync done/, 20_000);
    await until('both replicas ready in both families', () => /10\.201\.100\.11=ready\/v6:ready/.test(lastReplicas()) && /10\.201\.100\.12=ready\/v6:ready/.test(lastReplicas()), 15_000);
  }, 120_000);

  afterAll(() => {
    if (process.env.EGRESS_E2E_DEBUG) for (const p of [...gateways, node]) if (p) console.log(`${p.name}:\n${p.err}`);
    lab.destroy();
    lab.removeDir();
  });

  test('1. allowed IPv6 leaves with an IPv6 egress address, replies return through the tunnel; TCP too', async () => {
    const flows = await udp(to6(SERVER6_ALLOWED, 9000), 8, 20, 800);
    for (const f of flows) {
      expect(f.received).toBeGreaterThan(f.sent * 0.9);
      expect(f.egress).toHaveLength(1);
      expect([egressIp6(1), egressIp6(2)]).toContain(f.egress[0]);
    }
    // Spread over both replicas (resilient group, per-flow pinning).
    expect(new Set(flows.map((f: any) => f.egress[0])).size).toBe(2);
    const tcp = await lab.traffic(pay1, ['tcp', '--to', to6(SERVER6_ALLOWED, 8080), '--interval', '20', '--duration', '400']);
    expect(tcp.connected).toBe(true);
    expect([egressIp6(1), egressIp6(2)]).toContain(tcp.egress);
    expect(tcp.echoes).toBeGreaterThan(0);
    expect(serverCounts6(lab).fromCluster6).toBe(0);
    // The replies went back inside the tunnels: the replicas marked them (IPv4 and IPv6 alike).
    const replies = [1, 2].map((i) => Number(/counter replies \{\s*packets (\d+)/.exec(nsx(lab.ns(`g${i}`), 'nft list table inet cdk8s_egress_gw_reply'))?.[1]));
    expect(replies[0] + replies[1]).toBeGreaterThanOrEqual(flows.reduce((a: number, f: any) => a + f.received, 0));
  });

  test('the node agent counts each family\'s probes apart: sent, answered and volleys per family, IPv6\'s own answers', async () => {
    const body = (await lab.traffic(lab.ns('n1'), ['get', '--url', 'http://127.0.0.1:9441/metrics'])).body as string;
    const value = (metric: string, family: string) => Number(new RegExp(`^${metric}\\{gateway="gw",family="${family}"\\} (\\d+)`, 'm').exec(body)?.[1]);
    const sent = { v4: value('egress_nat_probes_sent_total', 'ipv4'), v6: value('egress_nat_probes_sent_total', 'ipv6') };
    const answered = { v4: value('egress_nat_probe_rtt_seconds_count', 'ipv4'), v6: value('egress_nat_probe_rtt_seconds_count', 'ipv6') };
    // Two replicas, each family on its own 50 ms cadence for several seconds by now.
    for (const f of ['v4', 'v6'] as const) {
      expect(sent[f]).toBeGreaterThan(2 * 20);
      expect(answered[f]).toBeGreaterThan(sent[f] * 0.9);
      expect(answered[f]).toBeLessThanOrEqual(sent[f]);
    }
    // The same cadence, counted apart: neither family's count is the other's, nor their sum.
    expect(sent.v6 / sent.v4).toBeGreaterThan(0.7);
    expect(sent.v6 / sent.v4).toBeLessThan(1.3);
    expect(Number.isFinite(value('egress_nat_probe_volleys_total', 'ipv6'))).toBe(true);
  });

  test('2. denied IPv6: 0 packets at the partner, counted dropped by the gateway', async () => {
    const before = serverCounts6(lab);
    const flows = await udp(to6(SERVER6_DENIED, 9000), 4, 20, 500);
    const other = await udp(to6(SERVER6_ALLOWED, 9999), 2, 20, 300); // an allowed address on a port not allowed
    for (const f of [...flows, ...other]) expect(f.received).toBe(0);
    const after = serverCounts6(lab);
    expect(after.toDenied6 - before.toDenied6).toBe(0);
    expect(after.fromCluster6).toBe(0);
    const dropped = [1, 2].map((i) => JSON.parse(nsx(lab.ns(`g${i}`), 'nft -j list counter inet cdk8s_egress_gw z1_dropped')).nftables.find((o: any) => o.counter).counter.packets);
    expect(dropped[0] + dropped[1]).toBeGreaterThan(0);
  });

  test('dual-stack: a v4 and a v6 flow from the same pod each leave with their own family\'s egress address', async () => {
    const [v4, v6] = await Promise.all([udp(`${SERVER_ALLOWED}:9000`, 4, 20, 600), udp(to6(SERVER6_ALLOWED, 9000), 4, 20, 600)]);
    for (const f of v4) {
      expect(f.received).toBeGreaterThan(f.sent * 0.9);
      expect([lab.egressIp(1), lab.egressIp(2)]).toContain(f.egress[0]);
    }
    for (const f of v6) {
      expect(f.received).toBeGreaterThan(f.sent * 0.9);
      expect([egressIp6(1), egressIp6(2)]).toContain(f.egress[0]);
    }
    expect(lab.serverCounts().fromCluster).toBe(0);
    expect(serverCounts6(lab).fromCluster6).toBe(0);
  });

  test('4a. failover per family: a replica that stops forwarding IPv6 loses its IPv6 flows to the survivor and keeps its IPv4 ones', async () => {
    const v6 = udp(to6(SERVER6_ALLOWED, 9000), 8, 2, 3000);
    const v4 = udp(`${SERVER_ALLOWED}:9000`, 8, 2, 3000);
    await sleep(1000);
    // Replica 1 loses its IPv6 egress IP: it forwards no IPv6 any more (never a pod's own address), IPv4 as before.
    const cutAt = Date.now();
    nsx(lab.ns('g1'), `ip -6 addr del ${egressIp6(1)}/128 dev eth0`);
    const [f6, f4] = await Promise.all([v6, v4]);
    const moved = f6.filter((f: any) => f.egress[0] === egressIp6(1));
    expect(moved.length).toBeGreaterThan(0);
    for (const f of moved) {
      expect(f.egress).toEqual([egressIp6(1), egressIp6(2)]);
      expect(f.maxGapMs).toBeLessThan(1000);
    }
    for (const f of f6.filter((x: any) => x.egress[0] === egressIp6(2))) expect(f.egress).toHaveLength(1);
    // IPv4: every flow stays where it was, replica 1's included.
    expect(f4.some((f: any) => f.egress[0] === lab.egressIp(1))).toBe(true);
    for (const f of f4) {
      expect(f.egress).toHaveLength(1);
      expect(f.received).toBeGreaterThan(f.sent * 0.9);
    }
    const gap = Math.max(...moved.map((f: any) => f.maxGapMs));
    const dead = /"time":"([^"]+)"[^\n]*IPv6 forwarding changed[^\n]*"ip":"10\.201\.100\.11","forwards":false/.exec(node.err);
    // eslint-disable-next-line no-console
    console.log(`IPv6 failover (IPv6 egress IP removed from replica 1): ${moved.length} of 8 IPv6 flows moved, longest gap ${gap} ms; IPv6 dead verdict +${dead ? Date.parse(dead[1]) - cutAt : '?'} ms; `
      + `IPv4 flows' worst gap ${Math.max(...f4.map((f: any) => f.maxGapMs))} ms`);
    expect(lastReplicas()).toMatch(/10\.201\.100\.11=ready\/v6:dead/);
    nsx(lab.ns('g1'), `ip -6 addr add ${egressIp6(1)}/128 dev eth0 nodad`);
    await until('replica 1 forwards IPv6 again', () => /10\.201\.100\.11=ready\/v6:ready/.test(lastReplicas()), 10_000);
  });

  test('5. fail closed: with no replica, neither family\'s packets reach the partner', async () => {
    for (const i of [1, 2]) lab.killGateway(i, gateways[i - 1]);
    await until('both dead', () => /10\.201\.100\.11=dead\/v6:dead/.test(lastReplicas()) && /10\.201\.100\.12=dead\/v6:dead/.test(lastReplicas()), 5000, 20);
    const before4 = lab.serverCounts();
    const before6 = serverCounts6(lab);
    const [v4, v6] = await Promise.all([udp(`${SERVER_ALLOWED}:9000`, 4, 10, 800), udp(to6(SERVER6_ALLOWED, 9000), 4, 10, 800)]);
    for (const f of [...v4, ...v6]) expect(f.received).toBe(0);
    const after4 = lab.serverCounts();
    const after6 = serverCounts6(lab);
    expect(after4.fromCluster - before4.fromCluster).toBe(0);
    expect(after4.fromEgressIps - before4.fromEgressIps).toBe(0);
    expect(after6.fromCluster6 - before6.fromCluster6).toBe(0);
    expect(after6.fromEgressIps6 - before6.fromEgressIps6).toBe(0);
    // The node dropped them itself: blackholed in both families' zone tables.
    const routes6 = nsx(lab.ns('n1'), 'ip -6 route show table all').split('\n').filter((l) => /^blackhole default/.test(l));
    expect(routes6.length).toBeGreaterThan(0);
  });
});
