/**
 * Domain rules through the egress gateway on real kernels (network namespaces, prefix "dg"; docs/domain-names.md
 * "Through a gateway"): zones "orders" and "other" leave through a gateway of two replicas; both have domain rules.
 * Pods on node 1 look names up at the "cluster DNS" 10.96.0.10 (the node agent's proxy answers from a DNS server in the
 * external namespace whose answers the test sets) and connect at once. The external namespace counts, per destination,
 * the packets that arrive with a gateway egress IP and those that arrive with a pod or node address (DNS aside: the
 * node agent asks the DNS server itself).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labState, NetnsLab, nsx, Proc, SERVER_ALLOWED, sleep, until,
} from './netns-lab';

const DNS_LAB = join(__dirname, 'dns-lab.js');
const DNS = '10.96.0.10';
const EGRESS = '198.19.100.0/24';
const CLUSTER = '{ 10.0.0.0/8, 198.18.0.0/16 }'; // pods and gateway pods, nodes

describeNetns('domain rules through the egress gateway, in network namespaces', () => {
  const lab = new NetnsLab({ prefix: 'dg', gateways: 2 });
  const answersPath = join(lab.dir, 'answers.json');
  type Answers = { [name: string]: { a?: string[]; ttl?: number } };
  const gateways: Proc[] = [];
  let node: Proc;
  let orders = '';
  let other = '';
  const x = () => lab.ns('x');
  const setAnswers = (a: Answers) => writeFileSync(answersPath, JSON.stringify(a));

  const zone = (name: string, id: number) => ({
    name,
    id,
    gateway: 'gw',
    vni: 4100 + id,
    failOpen: false,
    members: { namespaces: [name], matchLabels: {} },
    allow: [],
    noGateway: [],
    domainRules: [{ name: `${name}-names`, protocol: 'tcp', ports: ['8080'] }, { name: `${name}-names`, protocol: 'udp', ports: ['9000'] }],
  });
  // Both zones allow the same names on the same ports: only the source node's per-zone gate tells them apart.
  const domainRules = (name: string) => [
    { name: `${name}-names`, patterns: ['*.stripe.test'], protocol: 'tcp', ports: ['8080'] },
    { name: `${name}-names`, patterns: ['*.stripe.test'], protocol: 'udp', ports: ['9000'] },
  ];
  const config = {
    version: 3,
    cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
    zones: [zone('orders', 1), zone('other', 2)],
    gateways: [{
      name: 'gw',
      service: { namespace: 'egress', name: 'gw' },
      egressIps: [lab.egressIp(1), lab.egressIp(2)],
      vxlanPort: 4789,
      healthPort: 9440,
      probe: { intervalMs: 100, timeoutMs: 100, failureThreshold: 3 },
      drainGraceSeconds: 5,
    }],
    natPools: [],
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      minTtlSeconds: 60,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 32,
      maxAddressesPerZone: 10000,
      zones: ['orders', 'other'].map((z) => ({ zone: z, rules: domainRules(z), addresses: [] })),
    },
  };

  async function run(ns: string, argv: string[]): Promise<any> {
    const p = lab.spawn(`dns-${ns}`, ns, ['node', DNS_LAB, ...argv]);
    await p.wait(120_000);
    return JSON.parse(p.out.trim().split('\n').pop()!);
  }
  const lookup = (pod: string, name: string) => run(pod, ['lookup', '--server', DNS, '--name', name, '--connect', '8080']);
  const connect = async (pod: string, ip: string, port = 8080): Promise<boolean> => (await run(pod, ['connect', '--ip', ip, '--port', String(port)])).connected;
  /** Packets that reached the external namespace for `ip`: with a gateway egress IP as source, and with a pod or node address. */
  const arrived = (ip: string): { viaGateway: number; fromCluster: number } => {
    const j = JSON.parse(nsx(x(), 'nft -j list table inet dg_count'));
    const rules = j.nftables.filter((o: any) => o.rule?.comment?.endsWith(` ${ip}`)).map((o: any) => o.rule);
    const count = (kind: string) => rules.filter((r: any) => r.comment.startsWith(kind))
      .reduce((n: number, r: any) => n + (r.expr.find((e: any) => e.counter)?.counter.packets ?? 0), 0);
    return { viaGateway: count('gw'), fromCluster: count('cluster') };
  };
  const learned = (set: string): string => nsx(lab.ns('n1'), `nft list set inet cdk8s_egress_dns ${set}`);
  const droppedAtNode = (zoneId: number): number => JSON.parse(nsx(lab.ns('n1'), `nft -j list counter inet cdk8s_egress_dns dropped_${zoneId}`))
    .nftables.find((o: any) => o.counter).counter.packets;

  beforeAll(async () => {
    // Test 1's fresh addresses, and the others' (SERVER_ALLOWED is there already: replies to UDP come from it).
    const fresh = Array.from({ length: 50 }, (_, i) => `198.19.0.${100 + i}`);
    buildAgents();
    lab.create();
    orders = lab.addPod(1, 'ord', '10.201.1.10');
    other = lab.addPod(1, 'oth', '10.201.1.20');
    const counted = ['198.19.0.40', '198.19.0.41', '198.19.0.42', '198.19.0.43', SERVER_ALLOWED];
    for (const ip of [...fresh, ...counted.filter((c) => c !== SERVER_ALLOWED)]) nsx(x(), `ip addr add ${ip}/24 dev eth0`);
    const rules = [...counted, ...fresh].flatMap((ip) => [
      `    ip daddr ${ip} th dport != 53 ip saddr ${EGRESS} counter comment "gw ${ip}"`,
      `    ip daddr ${ip} th dport != 53 ip saddr ${CLUSTER} counter comment "cluster ${ip}"`,
    ]);
    nsx(x(), `nft -f - <<'EOF'\ntable inet dg_count {\n  chain input {\n    type filter hook input priority 0; policy accept;\n${rules.join('\n')}\n  }\n}\nEOF`);
    setAnswers({});
    const dns = lab.spawn('dns-server', x(), ['node', DNS_LAB, 'server', '--bind', SERVER_ALLOWED, '--answers', answersPath]);
    await dns.waitFor(/listening/, 10_000, 'out');
    const server = lab.startServer();
    await server.waitFor(/listening/, 10_000, 'out');
    lab.writeConfig(config);
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'orders' }, { ip: '10.201.1.20', zone: 'other' }], [1, 2]));
    for (let i = 1; i <= 2; i++) gateways.push(lab.startGateway(i));
    for (let i = 1; i <= 2; i++) await gateways[i - 1].waitFor(new RegExp(`"egressIp":"${lab.egressIp(i).replace(/\./g, '\\.')}"`));
    // The node agent as the image runs it, told the upstream DNS (in a cluster: its resolv.conf).
    node = lab.spawn('node-1', lab.ns('n1'), ['env', `EGRESS_DNS_UPSTREAMS=${SERVER_ALLOWED}`,
      AGENT_NODE, AGENT_MAIN, 'node', '--config', lab.configPath, '--state', lab.statePath(1), '--health-port', '9441']);
    await node.waitFor(/DNS proxy serving/, 30_000);
    await until('both replicas ready', () => /10\.201\.100\.11=ready/.test(node.err) && /10\.201\.100\.12=ready/.test(node.err), 15_000);
  }, 180_000);

  afterAll(() => {
    if (process.env.EGRESS_E2E_DEBUG) for (const p of [node, ...gateways]) console.log(`${p.name}:\n${p.err}`);
    lab.destroy();
    lab.removeDir();
  });

  test('1. the first connection right after each lookup succeeds and leaves with an egress IP (50 fresh names and addresses)', async () => {
    const a: Answers = {};
    for (let i = 1; i <= 50; i++) a[`s${i}.stripe.test`] = { a: [`198.19.0.${99 + i}`] };
    setAnswers(a);
    const r = await run(orders, ['loop', '--server', DNS, '--prefix', 's', '--suffix', 'stripe.test', '--count', '50', '--connect', '8080']);
    expect(r).toEqual({ failures: 0, ok: 50 });
    for (let i = 1; i <= 50; i++) {
      const seen = arrived(`198.19.0.${99 + i}`);
      expect([seen.viaGateway > 0, seen.fromCluster]).toEqual([true, 0]);
    }
  }, 120_000);

  test('2. an address never looked up gets 0 packets, dropped at the source node; a looked-up address on another port is the gateway\'s to drop', async () => {
    const before = droppedAtNode(1);
    expect(await connect(orders, '198.19.0.41')).toBe(false);
    expect(arrived('198.19.0.41')).toEqual({ viaGateway: 0, fromCluster: 0 });
    expect(droppedAtNode(1)).toBeGreaterThan(before);
    // 8081 is no domain rule's port: the node's gate leaves it to the other gates (Felix in a cluster), and the gateway
    // admits a domain rule's ports only.
    setAnswers({ 'p.stripe.test': { a: ['198.19.0.42'] } });
    expect((await lookup(orders, 'p.stripe.test')).connected).toBe(true);
    const opened = arrived('198.19.0.42');
    expect(await connect(orders, '198.19.0.42', 8081)).toBe(false);
    expect(arrived('198.19.0.42')).toEqual(opened);
  }, 60_000);

  test('3. another zone\'s lookup opens nothing for this one, though both leave through the same gateway with the same names', async () => {
    setAnswers({ 'x.stripe.test': { a: ['198.19.0.43'] } });
    const o = await lookup(other, 'x.stripe.test');
    expect([o.addresses, o.connected]).toEqual([['198.19.0.43'], true]);
    const afterOther = arrived('198.19.0.43');
    expect([afterOther.viaGateway > 0, afterOther.fromCluster]).toEqual([true, 0]);
    expect(learned('d4_2_0')).toContain('198.19.0.43');
    expect(learned('d4_1_0')).not.toContain('198.19.0.43');
    expect(await connect(orders, '198.19.0.43')).toBe(false);
    expect(arrived('198.19.0.43')).toEqual(afterOther);
  }, 60_000);

  test('4. failover: a dead replica\'s flows to a looked-up address move to the other one within 1 s', async () => {
    setAnswers({ 'flow.stripe.test': { a: [SERVER_ALLOWED] } });
    expect((await lookup(orders, 'flow.stripe.test')).connected).toBe(true);
    const flows = lab.traffic(orders, ['udp', '--to', `${SERVER_ALLOWED}:9000`, '--flows', '16', '--interval', '10', '--duration', '4000']);
    await sleep(1500);
    lab.killGateway(1, gateways[0]);
    const all: any[] = await flows;
    expect(new Set(all.map((f) => f.egress[0]))).toEqual(new Set([lab.egressIp(1), lab.egressIp(2)]));
    const moved = all.filter((f) => f.egress[0] === lab.egressIp(1));
    for (const f of moved) {
      expect(f.egress).toEqual([lab.egressIp(1), lab.egressIp(2)]);
      expect(f.maxGapMs).toBeLessThan(1000);
    }
    for (const f of all.filter((g) => g.egress[0] === lab.egressIp(2))) expect(f.egress).toEqual([lab.egressIp(2)]);
    // Nothing left with a pod or node address meanwhile (the router's own ICMP about the dead replica is not counted).
    expect(arrived(SERVER_ALLOWED).fromCluster).toBe(0);
  }, 60_000);
});
