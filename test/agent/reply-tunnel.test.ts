import { FakeKernel } from './fake-kernel';
import { GatewayAgent } from '../../src/agent/gateway/gateway-agent';
import { computeGatewayDesired } from '../../src/agent/gateway/gateway-desired-state';
import { applyReplyTunnel, REPLY_NEXTHOP, REPLY_PLACEHOLDER_MAC, REPLY_TABLE } from '../../src/agent/gateway/reply-tunnel';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const config = parseDataPathConfig(validDocument());
const desired = () => computeGatewayDesired(config, 'gw', { podIp: '10.201.100.11', localAddresses: ['10.201.100.11', '198.19.100.2'] });

describe('the gateway sends replies back through the tunnel they came from', () => {
  test('tunnels learn the nodes\' MACs; each zone routes its replies into its own tunnel by a mark in the owned bits', () => {
    const d = desired();
    const { node } = config;
    for (const l of d.net.links) expect(l.learningAgeing).toBeGreaterThan(0);
    expect(d.net.neighbors).toEqual(d.net.links.map((l) => ({ dev: l.name, ip: REPLY_NEXTHOP, mac: REPLY_PLACEHOLDER_MAC })));
    expect(d.net.routes).toEqual(d.zones.map((z) => ({ table: node.routeTableBase + z.id, kind: 'via', via: REPLY_NEXTHOP, dev: `egz${z.vni}` })));
    for (const r of d.net.rules) {
      expect(r.mark).not.toBe(0);
      expect((r.mark & ~node.markMask) >>> 0).toBe(0); // eslint-disable-line no-bitwise
      expect(r.mask).toBe(node.markMask);
    }
    expect(new Set(d.net.rules.map((r) => r.mark)).size).toBe(d.zones.length);
  });

  test('replies (conntrack reply direction of a zone flow) are marked and counted; the mark is cleared before encapsulation', () => {
    const { nft } = desired().reply;
    expect(nft).toMatch(/ct direction reply ct mark \{ 1, 2 \} counter name replies meta mark set ct mark map \{ 1 : 0x[0-9a-f]{8}, 2 : 0x[0-9a-f]{8} \}/);
    expect(nft).toMatch(/oifname \{ "egz4101", "egz4102" \} meta mark set meta mark and 0x[0-9a-f]{8}/);
    // The learned pod → node MAC pairs: refreshed on every packet, a changed pairing replaces the old one.
    expect(nft).toContain('add rule netdev cdk8s_egress_gw_reply in_4101 ether type ip ip saddr . ether saddr != @pairs delete @pod_node');
    expect(nft).toContain('add rule netdev cdk8s_egress_gw_reply out_4101 ether type ip ether daddr set ip daddr map @pod_node');
    expect(nft).toContain('counter name replies_unpaired drop');
    // The netdev table is added to, never deleted: its learned pairs survive agent restarts.
    expect(nft).not.toMatch(/delete table netdev/);
  });

  test('applying keeps the netdev table (its learned pairs) and deletes every chain before adding the desired ones', async () => {
    const k = new FakeKernel();
    k.nftObjects = { sets: ['pairs'], chains: ['in_4101', 'out_4101', 'in_4999', 'out_4999'], counters: ['replies_unpaired'] };
    await applyReplyTunnel(k, desired().reply);
    const lines = k.nft!.split('\n');
    // A chain left behind by a deleted tunnel device would refuse the new device: deleted first, then added.
    for (const c of ['in_4101', 'out_4101', 'in_4999', 'out_4999']) expect(lines).toContain(`delete chain netdev ${REPLY_TABLE} ${c}`);
    expect(lines.findIndex((l) => l.startsWith(`add chain netdev ${REPLY_TABLE} in_4101`))).toBeGreaterThan(lines.indexOf(`delete chain netdev ${REPLY_TABLE} in_4101`));
    expect(k.nft).not.toContain(`add chain netdev ${REPLY_TABLE} in_4999`);
    expect(k.nft).not.toMatch(/delete table netdev/);
  });

  test('the gateway applies its filtering ruleset before the reply tunnel: a reply-tunnel failure never leaves the tunnels unfiltered', async () => {
    const k = new FakeKernel();
    const order: string[] = [];
    const apply = k.applyNft.bind(k);
    k.applyNft = async (script: string) => {
      order.push(script.includes(REPLY_TABLE) ? 'reply' : 'ruleset');
      if (script.includes(REPLY_TABLE)) throw new Error('nft: Could not process rule: File exists');
      return apply(script);
    };
    const agent = new GatewayAgent({ configPath: '/nonexistent', gateway: 'gw', podIp: '10.201.100.11', kernel: k }, JSON.stringify(validDocument()));
    await expect((agent as any).sync(true)).rejects.toThrow(/File exists/);
    // The ruleset may take two transactions (nft-table-swap: stage, then swap); all of them come before the reply tunnel.
    expect(order[order.length - 1]).toBe('reply');
    expect(order.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    expect(order.slice(0, -1).every((o) => o === 'ruleset')).toBe(true);
    expect(k.nft).toContain('table inet cdk8s_egress_gw {');
  });

  test('a fresh replica programs its filtering ruleset before it creates a tunnel device: no decapsulated packet is ever forwarded unfiltered', async () => {
    const k = new FakeKernel();
    const agent = new GatewayAgent({ configPath: '/nonexistent', gateway: 'gw', podIp: '10.201.100.11', kernel: k }, JSON.stringify(validDocument()));
    await (agent as any).sync(true);
    const firstNft = k.log.indexOf('nft');
    const firstLink = k.log.findIndex((op) => op === 'add-link');
    expect(firstNft).toBeGreaterThanOrEqual(0);
    expect(firstLink).toBeGreaterThan(firstNft);
  });
});
