import { FakeKernel } from './fake-kernel';
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

  test('applying keeps the netdev table and deletes only the chains of tunnels that are gone', async () => {
    const k = new FakeKernel();
    k.nft = `table netdev ${REPLY_TABLE} {\n\tchain in_4101 {\n\t}\n\tchain out_4101 {\n\t}\n\tchain in_4999 {\n\t}\n\tchain out_4999 {\n\t}\n}\n`;
    await applyReplyTunnel(k, desired().reply);
    expect(k.nft).toContain(`delete chain netdev ${REPLY_TABLE} in_4999`);
    expect(k.nft).toContain(`delete chain netdev ${REPLY_TABLE} out_4999`);
    expect(k.nft).not.toContain(`delete chain netdev ${REPLY_TABLE} in_4101`);
  });
});
