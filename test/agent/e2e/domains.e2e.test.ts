/**
 * Issue 25 on real kernels: the node agent's DNS proxy and learned sets, in network namespaces (prefix "dn"):
 * zone pods on node 1 look names up at the "cluster DNS" 10.96.0.10 (the agent's table sends them to its proxy,
 * which asks a DNS server in the external namespace whose answers the test changes) and connect at once.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labState, NetnsLab, nsx, Proc, sleep, until } from './netns-lab';

const DNS_LAB = join(__dirname, 'dns-lab.js');
const DNS = '10.96.0.10';

describeNetns('domain rules enforced by the node agent, in network namespaces', () => {
  const lab = new NetnsLab({ prefix: 'dn', gateways: 0 });
  const answersPath = join(lab.dir, 'answers.json');
  type Answers = { [name: string]: { a?: string[]; cname?: string; ttl?: number } };
  let node: Proc;
  let orders = '';
  let other = '';
  const x = () => lab.ns('x');
  const setAnswers = (a: Answers) => writeFileSync(answersPath, JSON.stringify(a));

  const config = {
    version: 1,
    cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
    zones: ['orders', 'other'].map((name, i) => ({ name, id: i + 1, failOpen: false, members: { namespaces: [name], matchLabels: {} }, allow: [], noGateway: [] })),
    gateways: [],
    natPools: [],
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      // A short hold, so expiry happens within the test (production: 60 s).
      minTtlSeconds: 1,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 32,
      maxAddressesPerZone: 10000,
      zones: [
        { zone: 'orders', rules: [{ name: 'stripe', patterns: ['*.stripe.test', 'api.pay.test'], protocol: 'tcp', ports: ['8080'] }], addresses: [] },
        { zone: 'other', rules: [{ name: 'other', patterns: ['other.test'], protocol: 'tcp', ports: ['8080'] }], addresses: [] },
      ],
    },
  };

  const lookup = (pod: string, name: string, extra: string[] = []) => run(pod, ['lookup', '--server', DNS, '--name', name, '--connect', '8080', ...extra]);
  async function run(ns: string, argv: string[]): Promise<any> {
    const p = lab.spawn(`dns-${ns}`, ns, ['node', DNS_LAB, ...argv]);
    await p.wait(120_000);
    return JSON.parse(p.out.trim().split('\n').pop()!);
  }
  const connect = async (pod: string, ip: string): Promise<boolean> => (await run(pod, ['connect', '--ip', ip, '--port', '8080'])).connected;
  /** Packets the external namespace received for one destination address (nft counter per address). */
  const packetsTo = (ip: string): number => {
    const j = JSON.parse(nsx(x(), 'nft -j list table inet dn_count'));
    return j.nftables.filter((o: any) => o.rule).map((o: any) => o.rule)
      .filter((r: any) => JSON.stringify(r.expr).includes(`"${ip}"`))
      .reduce((n: number, r: any) => n + (r.expr.find((e: any) => e.counter)?.counter.packets ?? 0), 0);
  };
  /** Looks `name` up (answer `ip`), then keeps one TCP connection to it echoing for `ms` (`done`: its summary). */
  async function streamAfterLookup(name: string, ip: string, ttl: number, ms: number): Promise<{ done: Promise<any> }> {
    setAnswers({ [name]: { a: [ip], ttl } });
    expect((await lookup(orders, name)).connected).toBe(true);
    const stream = lab.traffic(orders, ['tcp', '--to', `${ip}:8080`, '--interval', '100', '--duration', String(ms)]);
    await sleep(500);
    return { done: stream }; // wrapped: an async function returning the promise itself would wait for it
  }
  const learned = (set: string): string => nsx(lab.ns('n1'), `nft list set inet cdk8s_egress_dns ${set}`);

  beforeAll(async () => {
    buildAgents();
    lab.create();
    orders = lab.addPod(1, 'ord', '10.201.1.10');
    other = lab.addPod(1, 'oth', '10.201.1.20');
    // External addresses the answers hand out; one counter rule per address at the server.
    const extra = Array.from({ length: 120 }, (_, i) => `198.19.0.${100 + i}`);
    for (const ip of [...extra, '198.19.0.40', '198.19.0.41', '198.19.0.42', '198.19.0.43', '198.19.0.44', '198.19.0.45']) nsx(x(), `ip addr add ${ip}/24 dev eth0`);
    const counted = ['198.19.0.40', '198.19.0.41', '198.19.0.42', '198.19.0.43'];
    nsx(x(), `nft -f - <<'EOF'\ntable inet dn_count {\n  chain input {\n    type filter hook input priority 0; policy accept;\n${counted.map((ip) => `    ip daddr ${ip} counter`).join('\n')}\n  }\n}\nEOF`);
    setAnswers({});
    const dns = lab.spawn('dns-server', x(), ['node', DNS_LAB, 'server', '--bind', '198.19.0.10', '--answers', answersPath]);
    await dns.waitFor(/listening/, 10_000, 'out');
    const server = lab.startServer();
    await server.waitFor(/listening/, 10_000, 'out');
    lab.writeConfig(config);
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'orders' }, { ip: '10.201.1.20', zone: 'other' }], []));
    node = startNode();
    await node.waitFor(/DNS proxy serving/, 30_000);
  }, 180_000);

  afterAll(() => {
    lab.destroy();
    lab.removeDir();
  });

  /** The node agent as the image runs it, told the upstream DNS (in a cluster: its resolv.conf). */
  function startNode(): Proc {
    return lab.spawn('node-1', lab.ns('n1'), ['env', 'EGRESS_DNS_UPSTREAMS=198.19.0.10',
      AGENT_NODE, AGENT_MAIN, 'node', '--config', lab.configPath, '--state', lab.statePath(1), '--health-port', '9441']);
  }

  test('1. the first connection right after each lookup succeeds (100 fresh names and addresses)', async () => {
    const a: Answers = {};
    for (let i = 1; i <= 100; i++) a[`s${i}.stripe.test`] = { a: [`198.19.0.${99 + i}`], ttl: 1 };
    setAnswers(a);
    const r = await run(orders, ['loop', '--server', DNS, '--prefix', 's', '--suffix', 'stripe.test', '--count', '100', '--connect', '8080']);
    expect(r).toEqual({ failures: 0, ok: 100 });
    const metrics = await lab.traffic(lab.ns('n1'), ['get', '--url', 'http://127.0.0.1:9441/metrics']);
    expect(Number(/^egress_nat_dns_answers\{outcome="answered"\} (\d+)/m.exec(metrics.body)?.[1])).toBeGreaterThanOrEqual(100);
  }, 120_000);

  test('2. an address of a name that is not allowed gets 0 packets; so does an address never looked up', async () => {
    setAnswers({ 'evil.test': { a: ['198.19.0.40'] } });
    const r = await lookup(orders, 'evil.test');
    expect([r.addresses, r.connected]).toEqual([['198.19.0.40'], false]);
    expect(await connect(orders, '198.19.0.41')).toBe(false);
    expect(packetsTo('198.19.0.40')).toBe(0);
    expect(packetsTo('198.19.0.41')).toBe(0);
  }, 60_000);

  test('3. a wildcard matches deeper names; the bare parent does not', async () => {
    setAnswers({ 'stripe.test': { a: ['198.19.0.42'] }, 'a.b.stripe.test': { a: ['198.19.0.44'] } });
    expect((await lookup(orders, 'stripe.test')).connected).toBe(false);
    expect(packetsTo('198.19.0.42')).toBe(0);
    expect((await lookup(orders, 'a.b.stripe.test')).connected).toBe(true);
  }, 60_000);

  test('4. a CNAME chain, and DNS over TCP', async () => {
    setAnswers({ 'api.pay.test': { cname: 'edge.cdn.test' }, 'edge.cdn.test': { a: ['198.19.0.45'] }, 'tcp.stripe.test': { a: ['198.19.0.218'] } });
    expect((await lookup(orders, 'api.pay.test')).connected).toBe(true);
    const tcp = await lookup(orders, 'tcp.stripe.test', ['--tcp', '1']);
    expect([tcp.addresses, tcp.connected]).toEqual([['198.19.0.218'], true]);
  }, 60_000);

  test('5. another zone\'s lookup opens nothing for this one, nor for itself', async () => {
    setAnswers({ 'x.stripe.test': { a: ['198.19.0.43'] } });
    const o = await lookup(other, 'x.stripe.test');
    expect([o.addresses, o.connected]).toEqual([['198.19.0.43'], false]);
    expect(learned('d4_1_0')).not.toContain('198.19.0.43');
    expect(await connect(orders, '198.19.0.43')).toBe(false);
    expect(packetsTo('198.19.0.43')).toBe(0);
  }, 60_000);

  test('6. rotating answers: an established connection outlives its address\'s expiry; new connections follow the answer', async () => {
    const stream = (await streamAfterLookup('rot.stripe.test', '198.19.0.150', 1, 12_000)).done;
    setAnswers({ 'rot.stripe.test': { a: ['198.19.0.151'], ttl: 1 } });
    expect((await lookup(orders, 'rot.stripe.test')).addresses).toEqual(['198.19.0.151']);
    // Hold: 1 s + 5 s grace. After it, the old address is gone from the set...
    await until('198.19.0.150 expired', () => !learned('d4_1_0').includes('198.19.0.150'), 15_000, 200);
    const late = await run(orders, ['lookup', '--server', DNS, '--name', 'rot.stripe.test', '--connect', '8080']);
    expect(late.connected).toBe(true); // the current answer
    expect(await connect(orders, '198.19.0.150')).toBe(false); // the old address, for a new connection
    const s = await stream; // ...and the connection opened before kept every echo
    expect([s.connected, s.error, s.echoes]).toEqual([true, undefined, s.sent]);
    expect(s.sent).toBeGreaterThan(100);
  }, 60_000);

  test('7. an agent restart drops no established connection and keeps the learned addresses; while it is down, lookups fail', async () => {
    const stream = (await streamAfterLookup('keep.stripe.test', '198.19.0.160', 600, 6000)).done;
    node.signal('SIGKILL');
    await node.wait(10_000);
    const down = await lookup(orders, 'keep.stripe.test');
    expect(down.addresses).toEqual([]); // closed: no proxy, no answer
    node = startNode();
    await node.waitFor(/DNS proxy serving.*"relearned":[1-9]/, 30_000);
    expect(learned('d4_1_0')).toContain('198.19.0.160');
    const s = await stream;
    expect([s.connected, s.error, s.echoes]).toEqual([true, undefined, s.sent]);
    expect(s.sent).toBeGreaterThan(40);
  }, 60_000);

  test('9. a truncated UDP answer: the pod gets TC, its stub resolver asks again over TCP, and the last address (only in that answer) is open', async () => {
    // 30 records (under the 32 per name), ~950 bytes: more than a UDP answer without EDNS holds.
    setAnswers({ 'many.stripe.test': { a: Array.from({ length: 30 }, (_, i) => `198.19.0.${170 + i}`) } });
    const udp = await lookup(orders, 'many.stripe.test');
    expect([udp.tc, udp.addresses.length < 30]).toEqual([true, true]);
    const full = await run(orders, ['resolve', '--server', DNS, '--name', 'many.stripe.test', '--connect', '8080']);
    expect([full.addresses.length, full.connected]).toEqual([30, true]);
  }, 60_000);

  test('8. without domain rules the agent removes its table: no DNAT of pods\' DNS to a proxy that is going away', async () => {
    const { domains: _, ...without } = config;
    lab.writeConfig(without);
    await until('the DNS table removed', () => spawnSync('ip', ['netns', 'exec', lab.ns('n1'), 'nft', 'list', 'table', 'inet', 'cdk8s_egress_dns']).status !== 0, 15_000, 200);
  }, 30_000);
});
