/**
 * Issue 25 for dual-stack pods on real kernels (prefix "d6n"): the domains e2e (domains.e2e.test.ts) with the IPv6
 * lab (netns-lab-ipv6.ts). A dual-stack zone pod asks the cluster DNS's IPv6 address for AAAA records (the agent's
 * table DNATs the query to its proxy's IPv6 address; the proxy asks the IPv4 upstream) and connects at once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labState, NetnsLab, nsx, Proc, TRAFFIC } from './netns-lab';
import { addIpv6, addPodIpv6 } from './netns-lab-ipv6';

const DNS_LAB = join(__dirname, 'dns-lab.js');
const DNS4 = '10.96.0.10';
const DNS6 = 'fd00:10:96::a';
const ORD4 = '10.201.1.10';
const ORD6 = 'fd00:10:201:1::10';
const OTH6 = 'fd00:10:201:1::20';

describeNetns('domain rules for dual-stack pods, in network namespaces', () => {
  const lab = new NetnsLab({ prefix: 'd6n', gateways: 0 });
  const answersPath = join(lab.dir, 'answers.json');
  let node: Proc;
  let orders = '';
  let other = '';
  const x = () => lab.ns('x');
  const setAnswers = (a: object) => writeFileSync(answersPath, JSON.stringify(a));
  const v6 = (i: number) => `2001:db8:19::${i.toString(16)}`;
  /** As dns-lab.js prints an AAAA record (every group, no ::). */
  const full6 = (i: number) => `2001:db8:19:0:0:0:0:${i.toString(16)}`;

  const config = {
    version: 5,
    cluster: { podCidrs: ['10.201.0.0/16', 'fd00:10:201::/48'], serviceCidrs: ['10.96.0.0/16', 'fd00:10:96::/112'], nodeCidrs: ['198.18.0.0/16', 'fd00:198:18::/48'] },
    zones: ['orders', 'other'].map((name, i) => ({ name, id: i + 1, failOpen: false, members: { namespaces: [name], matchLabels: {} }, allow: [], noGateway: [] })),
    gateways: [],
    natPools: [],
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      proxy6: { address: 'fdc8:e6e5:5d45::53' },
      minTtlSeconds: 1,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 32,
      maxAddressesPerZone: 10000,
      zones: [
        { zone: 'orders', rules: [{ name: 'stripe', patterns: ['*.stripe.test'], protocol: 'tcp', ports: ['8080'] }], addresses: [] },
        { zone: 'other', rules: [{ name: 'other', patterns: ['other.test'], protocol: 'tcp', ports: ['8080'] }], addresses: [] },
      ],
    },
  };

  async function run(ns: string, argv: string[]): Promise<any> {
    const p = lab.spawn(`dns-${ns}`, ns, ['node', DNS_LAB, ...argv]);
    await p.wait(120_000);
    return JSON.parse(p.out.trim().split('\n').pop()!);
  }
  const lookup6 = (pod: string, name: string, extra: string[] = []) => run(pod, ['lookup', '--server', DNS6, '--type', 'aaaa', '--name', name, '--connect', '8080', ...extra]);
  const connect = async (pod: string, ip: string): Promise<boolean> => (await run(pod, ['connect', '--ip', ip, '--port', '8080'])).connected;
  /** Packets the external namespace received for one IPv6 destination (an nft counter per address). */
  const packetsTo = (ip: string): number => {
    const j = JSON.parse(nsx(x(), 'nft -j list table inet d6n_count'));
    return j.nftables.filter((o: any) => o.rule).map((o: any) => o.rule)
      .filter((r: any) => JSON.stringify(r.expr).includes(`"${ip}"`))
      .reduce((n: number, r: any) => n + (r.expr.find((e: any) => e.counter)?.counter.packets ?? 0), 0);
  };

  beforeAll(async () => {
    buildAgents();
    lab.create();
    addIpv6(lab);
    orders = lab.addPod(1, 'ord', ORD4);
    addPodIpv6(lab, 1, 'ord', ORD6);
    other = lab.addPod(1, 'oth', '10.201.1.20');
    addPodIpv6(lab, 1, 'oth', OTH6);
    // External IPv6 addresses the answers hand out (2001:db8:19::100..), and 198.19.0.40 for the IPv4 answer.
    for (let i = 0x100; i < 0x130; i++) nsx(x(), `ip -6 addr add ${v6(i)}/64 dev eth0 nodad`);
    nsx(x(), 'ip addr add 198.19.0.40/24 dev eth0');
    const counted = [v6(0x120), v6(0x121), v6(0x122)];
    nsx(x(), `nft -f - <<'EOF'\ntable inet d6n_count {\n  chain input {\n    type filter hook input priority 0; policy accept;\n${counted.map((ip) => `    ip6 daddr ${ip} counter`).join('\n')}\n  }\n}\nEOF`);
    setAnswers({});
    const dns = lab.spawn('dns-server', x(), ['node', DNS_LAB, 'server', '--bind', '198.19.0.10', '--answers', answersPath]);
    await dns.waitFor(/listening/, 10_000, 'out');
    const server = lab.spawn('server', x(), ['node', TRAFFIC, 'server', '--udp', '9000', '--tcp', '8080', '--v6', '2001:db8:19::10']);
    await server.waitFor(/listening/, 10_000, 'out');
    lab.writeConfig(config);
    lab.writeState(1, labState(lab, [{ ip: ORD4, zone: 'orders' }, { ip: ORD6, zone: 'orders' }, { ip: '10.201.1.20', zone: 'other' }, { ip: OTH6, zone: 'other' }], []));
    node = lab.spawn('node-1', lab.ns('n1'), ['env', 'EGRESS_DNS_UPSTREAMS=198.19.0.10',
      AGENT_NODE, AGENT_MAIN, 'node', '--config', lab.configPath, '--state', lab.statePath(1), '--health-port', '9441']);
    await node.waitFor(/DNS proxy serving IPv6/, 30_000);
  }, 180_000);

  afterAll(() => {
    lab.destroy();
    lab.removeDir();
  });

  test('1. the first IPv6 connection right after each AAAA lookup (over IPv6) succeeds (30 fresh names and addresses)', async () => {
    const a: { [name: string]: object } = {};
    for (let i = 1; i <= 30; i++) a[`s${i}.stripe.test`] = { aaaa: [v6(0xff + i)], ttl: 1 };
    setAnswers(a);
    const r = await run(orders, ['loop', '--server', DNS6, '--type', 'aaaa', '--prefix', 's', '--suffix', 'stripe.test', '--count', '30', '--connect', '8080']);
    expect(r).toEqual({ failures: 0, ok: 30 });
    expect(nsx(lab.ns('n1'), 'nft list set inet cdk8s_egress_dns d6_1_0')).toContain(v6(0x100));
  }, 120_000);

  test('2. an IPv6 address never looked up gets 0 packets; nor does one of a name that is not allowed', async () => {
    expect(await connect(orders, v6(0x120))).toBe(false);
    setAnswers({ 'evil.test': { aaaa: [v6(0x121)] } });
    const r = await lookup6(orders, 'evil.test');
    expect([r.addresses, r.connected]).toEqual([[full6(0x121)], false]);
    expect(packetsTo(v6(0x120))).toBe(0);
    expect(packetsTo(v6(0x121))).toBe(0);
  }, 60_000);

  test('3. a name with A and AAAA answers: a v4 and a v6 connection to it both work (queries over IPv4 and IPv6, UDP and TCP)', async () => {
    setAnswers({ 'dual.stripe.test': { a: ['198.19.0.40'], aaaa: [v6(0x12a)] } });
    const four = await run(orders, ['lookup', '--server', DNS4, '--name', 'dual.stripe.test', '--connect', '8080']);
    expect([four.addresses, four.connected]).toEqual([['198.19.0.40'], true]);
    const six = await lookup6(orders, 'dual.stripe.test', ['--tcp', '1']);
    expect([six.addresses, six.connected]).toEqual([[full6(0x12a)], true]);
    // AAAA asked over IPv4 DNS opens the IPv6 address too (one proxy, both families of the pod).
    setAnswers({ 'cross.stripe.test': { aaaa: [v6(0x12b)] } });
    const cross = await run(orders, ['lookup', '--server', DNS4, '--type', 'aaaa', '--name', 'cross.stripe.test', '--connect', '8080']);
    expect([cross.addresses, cross.connected]).toEqual([[full6(0x12b)], true]);
  }, 60_000);

  test('4. another zone\'s IPv6 lookup opens nothing for this one', async () => {
    setAnswers({ 'y.stripe.test': { aaaa: [v6(0x122)] } });
    const o = await lookup6(other, 'y.stripe.test');
    expect([o.addresses, o.connected]).toEqual([[full6(0x122)], false]);
    expect(await connect(orders, v6(0x122))).toBe(false);
    expect(packetsTo(v6(0x122))).toBe(0);
  }, 60_000);
});
