import { Registry } from 'prom-client';
import { registerGatewayMetrics } from '../../src/agent/gateway/gateway-metrics';
import { parseConntrackList } from '../../src/agent/shared/conntrack-entry';
import { NftCounter } from '../../src/agent/shared/kernel';

/** Samples of one metric in one scrape's exposition text, as `name{labels} value` lines. */
async function samples(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.metrics();
  await new Promise((r) => setImmediate(r)); // the scrape's shared kernel read is forgotten after it, as between scrapes
  return text.split('\n').filter((l) => l.startsWith(`${name}{`));
}

describe('gateway metrics', () => {
  const zones = [{ id: 1, name: 'partners' }, { id: 2, name: 'vendors' }];
  const setup = (counters: NftCounter[]) => {
    const registry = new Registry();
    const state = { counters };
    registerGatewayMetrics(registry, {
      desired: () => ({ zones, egressIp: '192.0.2.65' }) as any,
      counters: async () => state.counters,
      conntrack: async () => [],
    });
    return { registry, state };
  };

  test('every zone has its drop and verdict series from the first scrape, at 0 before anything was dropped', async () => {
    const { registry } = setup(zones.flatMap((z) => ['allowed', 'dropped'].map((v) => ({ name: `z${z.id}_${v}`, packets: v === 'allowed' ? 3 : 0, bytes: v === 'allowed' ? 180 : 0 }))));
    expect(await samples(registry, 'egress_gateway_zone_drops_total')).toEqual(['egress_gateway_zone_drops_total{zone="partners"} 0', 'egress_gateway_zone_drops_total{zone="vendors"} 0']);
    expect(await samples(registry, 'egress_gateway_zone_packets_total')).toEqual([
      'egress_gateway_zone_packets_total{zone="partners",verdict="allowed"} 3', 'egress_gateway_zone_packets_total{zone="partners",verdict="dropped"} 0',
      'egress_gateway_zone_packets_total{zone="vendors",verdict="allowed"} 3', 'egress_gateway_zone_packets_total{zone="vendors",verdict="dropped"} 0',
    ]);
  });

  test('later scrapes add only the difference; a restarted kernel counter adds what it counted since', async () => {
    const { registry, state } = setup([{ name: 'z1_dropped', packets: 0, bytes: 0 }]);
    expect(await samples(registry, 'egress_gateway_zone_drops_total')).toEqual(['egress_gateway_zone_drops_total{zone="partners"} 0']);
    state.counters = [{ name: 'z1_dropped', packets: 5, bytes: 300 }];
    expect(await samples(registry, 'egress_gateway_zone_drops_total')).toEqual(['egress_gateway_zone_drops_total{zone="partners"} 5']);
    state.counters = [{ name: 'z1_dropped', packets: 2, bytes: 120 }]; // table replaced: the kernel counter restarted
    expect(await samples(registry, 'egress_gateway_zone_drops_total')).toEqual(['egress_gateway_zone_drops_total{zone="partners"} 7']);
  });

  test('SNAT ports in use: one series per egress IP of each family, from conntrack -L\'s IPv4 and IPv6 entries of the zone', async () => {
    const registry = new Registry();
    // conntrack -L output of both families (conntrack-tools 1.4.7): the reply's dst is the SNAT address, its dport the port.
    const conntrack = parseConntrackList([
      'udp      17 29 src=10.252.0.5 dst=203.0.113.140 sport=40000 dport=9000 src=203.0.113.140 dst=192.0.2.65 sport=9000 dport=40000 mark=1 use=1',
      'udp      17 29 src=10.252.0.5 dst=203.0.113.140 sport=40001 dport=9000 src=203.0.113.140 dst=192.0.2.65 sport=9000 dport=40001 mark=1 use=1',
      'udp      17 29 src=fd00:10:252::5 dst=2001:db8:100::140 sport=40000 dport=9000 src=2001:db8:100::140 dst=2001:db8:e::4 sport=9000 dport=40000 mark=1 use=1',
      'tcp      6 431999 ESTABLISHED src=fd00:10:252::5 dst=2001:db8:100::140 sport=50000 dport=443 src=2001:db8:100::140 dst=2001:db8:e::4 sport=443 dport=50000 [ASSURED] mark=1 use=1',
      'tcp      6 431999 ESTABLISHED src=fd00:10:252::6 dst=2001:db8:100::140 sport=50000 dport=443 src=2001:db8:100::140 dst=2001:db8:e::4 sport=443 dport=50001 [ASSURED] mark=2 use=1',
    ].join('\n'));
    registerGatewayMetrics(registry, {
      desired: () => ({ zones, egressIp: '192.0.2.65', egressIp6: '2001:db8:e::4' }) as any,
      counters: async () => [],
      conntrack: async () => conntrack,
    });
    // The first scrape already has them (the gauge was once filled only by the flows gauge's collect, which prom-client
    // runs beside it: each scrape showed the previous one's figures, the first none; the real lab's scrape found it).
    expect(await samples(registry, 'egress_gateway_zone_snat_ports_in_use')).toEqual([
      'egress_gateway_zone_snat_ports_in_use{zone="partners",egress_ip="192.0.2.65"} 2',
      'egress_gateway_zone_snat_ports_in_use{zone="partners",egress_ip="2001:db8:e::4"} 2',
      'egress_gateway_zone_snat_ports_in_use{zone="vendors",egress_ip="192.0.2.65"} 0',
      'egress_gateway_zone_snat_ports_in_use{zone="vendors",egress_ip="2001:db8:e::4"} 1',
    ]);
    expect(await samples(registry, 'egress_gateway_zone_active_flows')).toEqual(['egress_gateway_zone_active_flows{zone="partners"} 4', 'egress_gateway_zone_active_flows{zone="vendors"} 1']);
  });
});
