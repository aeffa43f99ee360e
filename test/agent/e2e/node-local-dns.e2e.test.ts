/**
 * Domain rules with NodeLocal DNSCache on the node (issue 25), in network namespaces (prefix "nl"): the cache's
 * addresses (169.254.20.10 and the kube-dns Service address it also binds) on its dummy device, with the NOTRACK
 * rules node-cache installs (iptables, raw table), so the agent's DNAT never sees queries to them. The agent rewrites
 * a zone pod's queries to them before conntrack; the answer must come back from the address the pod asked.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labState, NetnsLab, nsx, Proc, until } from './netns-lab';

const DNS_LAB = join(__dirname, 'dns-lab.js');
const LOCAL = '169.254.20.10';
const SERVICE = '10.96.0.10';

describeNetns('domain rules with NodeLocal DNSCache, in network namespaces', () => {
  const lab = new NetnsLab({ prefix: 'nl', gateways: 0 });
  const answersPath = join(lab.dir, 'answers.json');
  let node: Proc;
  let orders = '';
  const n1 = () => lab.ns('n1');

  const localServers = [{ address: '10.96.0.10', port: 10054 }, { address: LOCAL, port: 10055 }];
  const config = (withLocal: boolean) => ({
    version: 1,
    cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
    zones: [{ name: 'orders', id: 1, failOpen: false, members: { namespaces: ['orders'], matchLabels: {} }, allow: [], noGateway: [] }],
    gateways: [],
    natPools: [],
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      minTtlSeconds: 60,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 32,
      maxAddressesPerZone: 10000,
      zones: [{ zone: 'orders', rules: [{ name: 'stripe', patterns: ['*.stripe.test'], protocol: 'tcp', ports: ['8080'] }], addresses: [] }],
      ...(withLocal ? { localServers } : {}),
    },
  });

  async function run(argv: string[]): Promise<any> {
    const p = lab.spawn('dns-ord', orders, ['node', DNS_LAB, ...argv]);
    await p.wait(60_000);
    return JSON.parse(p.out.trim().split('\n').pop()!);
  }
  const lookup = (server: string, name: string, extra: string[] = []) => run(['lookup', '--server', server, '--name', name, '--connect', '8080', ...extra]);
  const learned = () => nsx(n1(), 'nft list set inet cdk8s_egress_dns d4_1_0');
  const answers = (a: object) => writeFileSync(answersPath, JSON.stringify(a));

  beforeAll(async () => {
    buildAgents();
    lab.create();
    orders = lab.addPod(1, 'ord', '10.201.1.10');
    for (let i = 1; i <= 12; i++) nsx(lab.ns('x'), `ip addr add 198.19.0.${60 + i}/24 dev eth0`);
    // NodeLocal DNSCache as node-cache sets it up: its dummy device with its addresses, and its iptables rules.
    // (On lo where the kernel has no dummy driver, as the agent does for its own address.)
    const dev = spawnSync('ip', ['netns', 'exec', n1(), 'ip', 'link', 'add', 'nodelocaldns', 'type', 'dummy']).status === 0 ? 'nodelocaldns' : 'lo';
    for (const ip of [LOCAL, SERVICE]) nsx(n1(), `ip addr add ${ip}/32 dev ${dev}`);
    nsx(n1(), `ip link set ${dev} up`);
    for (const ip of [LOCAL, SERVICE]) {
      for (const p of ['udp', 'tcp']) {
        nsx(n1(), `iptables -t raw -A PREROUTING -p ${p} -d ${ip} --dport 53 -j NOTRACK`);
        nsx(n1(), `iptables -t raw -A OUTPUT -p ${p} -s ${ip} --sport 53 -j NOTRACK`);
        nsx(n1(), `iptables -t raw -A OUTPUT -p ${p} -d ${ip} --dport 53 -j NOTRACK`);
        nsx(n1(), `iptables -t filter -A INPUT -p ${p} -d ${ip} --dport 53 -j ACCEPT`);
        nsx(n1(), `iptables -t filter -A OUTPUT -p ${p} -s ${ip} --sport 53 -j ACCEPT`);
      }
    }
    answers({});
    // The cache itself: answers on both addresses (it would forward to CoreDNS; here it answers from the file).
    for (const ip of [LOCAL, SERVICE]) {
      const cache = lab.spawn(`cache-${ip}`, n1(), ['node', DNS_LAB, 'server', '--bind', ip, '--answers', answersPath]);
      await cache.waitFor(/listening/, 10_000, 'out');
    }
    const server = lab.startServer();
    await server.waitFor(/listening/, 10_000, 'out');
    lab.writeConfig(config(true));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'orders' }], []));
    // The agent's resolv.conf names the cache, as the kubelet's clusterDNS does with NodeLocal DNSCache.
    node = lab.spawn('node-1', n1(), ['env', `EGRESS_DNS_UPSTREAMS=${LOCAL}`,
      AGENT_NODE, AGENT_MAIN, 'node', '--config', lab.configPath, '--state', lab.statePath(1), '--health-port', '9451']);
    await node.waitFor(/DNS proxy serving/, 30_000);
  }, 180_000);

  afterAll(() => {
    lab.destroy();
    lab.removeDir();
  });

  test('a zone pod\'s query to the cache\'s address goes through the proxy (learned), the first connection succeeds, the answer comes from the address asked', async () => {
    answers({ 'a.stripe.test': { a: ['198.19.0.61'] }, 'b.stripe.test': { a: ['198.19.0.62'] }, 'c.stripe.test': { a: ['198.19.0.63'] } });
    // dns-lab's UDP socket is connected to the server it asks: an answer from any other source would be a timeout.
    const a = await lookup(LOCAL, 'a.stripe.test');
    expect([a.addresses, a.connected]).toEqual([['198.19.0.61'], true]);
    const b = await lookup(SERVICE, 'b.stripe.test');
    expect([b.addresses, b.connected]).toEqual([['198.19.0.62'], true]);
    const c = await lookup(LOCAL, 'c.stripe.test', ['--tcp', '1']);
    expect([c.addresses, c.connected]).toEqual([['198.19.0.63'], true]);
    for (const ip of ['198.19.0.61', '198.19.0.62', '198.19.0.63']) expect(learned()).toContain(ip);
  }, 60_000);

  test('a truncated answer through the cache\'s address: the stub resolver retries over TCP and reaches the last address', async () => {
    // 30 records (under the agent's 32 per name), 960 bytes: more than a UDP answer without EDNS holds.
    answers({ 'many.stripe.test': { a: Array.from({ length: 30 }, (_, i) => `198.19.0.${101 + i}`) } });
    nsx(lab.ns('x'), 'ip addr add 198.19.0.130/24 dev eth0');
    const udp = await lookup(LOCAL, 'many.stripe.test');
    expect(udp.tc).toBe(true);
    expect(udp.addresses.length).toBeLessThan(30);
    const full = await run(['resolve', '--server', LOCAL, '--name', 'many.stripe.test', '--connect', '8080']);
    expect([full.addresses.length, full.connected]).toEqual([30, true]);
  }, 60_000);

  test('without the rewrite (no localServers), the NOTRACK bypasses the DNAT: the cache answers, nothing is learned, the connection is dropped', async () => {
    lab.writeConfig(config(false));
    await until('the rewrite chain gone', () => !nsx(n1(), 'nft list table inet cdk8s_egress_dns').includes('dns_local_query'), 15_000, 200);
    answers({ 'd.stripe.test': { a: ['198.19.0.64'] } });
    const d = await lookup(LOCAL, 'd.stripe.test');
    // Here (no Felix) the cache answers the pod directly; with Calico the zone's policy allows DNS only to the proxy,
    // so in a cluster this lookup fails: closed, never open.
    expect([d.addresses, d.connected]).toEqual([['198.19.0.64'], false]);
    expect(learned()).not.toContain('198.19.0.64');
    expect(spawnSync('ip', ['netns', 'exec', n1(), 'iptables', '-t', 'raw', '-S', 'PREROUTING']).stdout.toString()).toContain('NOTRACK');
  }, 30_000);
});
