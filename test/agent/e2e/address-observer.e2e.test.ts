/**
 * The node agent's address observer for staged zones (data-path `observe`) on real kernels (namespace prefix "ro"):
 * new connections of the zone's pods to destinations outside the cluster ranges are recorded per zone in the agent's
 * own table (address, protocol, port, connections, first/last seen), bounded, kept across re-renders and restarts,
 * printed by `main.js observed-addresses`; the table goes with the section.
 */
import { spawnSync } from 'node:child_process';
import { AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labState, NetnsLab, nsx, Proc, SERVER_ALLOWED, SERVER_DENIED, until } from './netns-lab';

describeNetns('node agent: the address observer of staged zones', () => {
  const lab = new NetnsLab({ prefix: 'ro', gateways: 0 });
  let shop = '';
  let other = '';
  let agent: Proc | undefined;

  const config = (observe: object | undefined) => ({
    version: 4,
    cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
    zones: [],
    gateways: [],
    natPools: [],
    ...(observe ? { observe } : {}),
  });
  const observe = { zones: [{ name: 'shop-api', members: { namespaces: ['shop'], matchLabels: {} } }], maxAddresses: 2, timeoutSeconds: 3600 };
  /** A new TCP connection (the server listens on 8080 and 8081) or one UDP datagram, from a pod. */
  const tcp = (pod: string, ip: string, port: number) => spawnSync('ip', ['netns', 'exec', pod, 'timeout', '3', 'bash', '-c', `echo x > /dev/tcp/${ip}/${port}`]);
  const udp = (pod: string, ip: string, port: number) => spawnSync('ip', ['netns', 'exec', pod, 'bash', '-c', `echo x > /dev/udp/${ip}/${port}`]);
  const observed = () => {
    const r = spawnSync('ip', ['netns', 'exec', lab.ns('n1'), AGENT_NODE, AGENT_MAIN, 'observed-addresses'], { encoding: 'utf8', env: { ...process.env, NODE_NAME: 'n1' } });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
  const entries = () => observed().zones.flatMap((z: any) => z.addresses.map((a: any) => `${z.zone} ${a.address} ${a.protocol}/${a.port} x${a.connections}`));
  const hasTable = () => spawnSync('ip', ['netns', 'exec', lab.ns('n1'), 'nft', 'list', 'table', 'ip', 'cdk8s_egress_observe']).status === 0;

  beforeAll(async () => {
    buildAgents();
    lab.create();
    shop = lab.addPod(1, 'shop1', '10.201.1.10');
    other = lab.addPod(1, 'oth1', '10.201.1.20');
    lab.addPod(2, 'shop2', '10.201.2.10');
    lab.writeConfig(config(observe));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'shop-api' }], []));
    await lab.startServer().waitFor(/listening/, 10_000, 'out');
    agent = lab.startNode(1);
    await agent.waitFor(/first sync done/, 30_000);
    await until('the observer table', () => hasTable(), 10_000);
  }, 120_000);

  afterAll(() => {
    lab.destroy();
    lab.removeDir();
  });

  test('the zone\'s new connections outside the cluster are recorded once per address, protocol and port; nothing else', () => {
    const t0 = Date.now();
    expect(tcp(shop, SERVER_ALLOWED, 8080).status).toBe(0);
    expect(tcp(shop, SERVER_ALLOWED, 8080).status).toBe(0);
    udp(shop, SERVER_DENIED, 9000);
    udp(shop, '10.201.2.10', 9000); // a pod: in-cluster
    expect(tcp(other, SERVER_ALLOWED, 8081).status).toBe(0); // a pod of no observed zone
    expect(entries()).toEqual([`shop-api ${SERVER_ALLOWED} tcp/8080 x2`, `shop-api ${SERVER_DENIED} udp/9000 x1`]);
    const doc = observed();
    expect(doc).toMatchObject({ kind: 'ObservedAddresses', node: 'n1', zones: [{ zone: 'shop-api', maxAddresses: 2, timeoutSeconds: 3600, unrecorded: 0 }] });
    for (const a of doc.zones[0].addresses) {
      for (const t of [a.firstSeen, a.lastSeen]) expect(Math.abs(Date.parse(t) - t0)).toBeLessThan(120_000);
      expect(Date.parse(a.firstSeen)).toBeLessThanOrEqual(Date.parse(a.lastSeen));
    }
  });

  test('a full set records nothing new and counts what it missed; the recorded entries stay', () => {
    expect(tcp(shop, SERVER_DENIED, 8081).status).toBe(0);
    expect(entries()).toEqual([`shop-api ${SERVER_ALLOWED} tcp/8080 x2`, `shop-api ${SERVER_DENIED} udp/9000 x1`]);
    expect(observed().zones[0].unrecorded).toBe(1);
  });

  test('what was recorded survives a pod change (re-render) and an agent restart', async () => {
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'shop-api' }, { ip: '10.201.1.20', zone: 'shop-api' }], []));
    await until('the second pod observed', () => /10\.201\.1\.20/.test(nsx(lab.ns('n1'), 'nft list set ip cdk8s_egress_observe pods_shop_api')), 10_000);
    agent!.signal('SIGKILL');
    await agent!.wait();
    agent = lab.startNode(1);
    await agent.waitFor(/first sync done/, 30_000);
    expect(entries()).toEqual([`shop-api ${SERVER_ALLOWED} tcp/8080 x2`, `shop-api ${SERVER_DENIED} udp/9000 x1`]);
  });

  test('without the observe section the table is removed; observed-addresses then prints no zone', async () => {
    lab.writeConfig(config(undefined));
    await until('the observer table removed', () => !hasTable(), 15_000);
    expect(observed().zones).toEqual([]);
  });
});
