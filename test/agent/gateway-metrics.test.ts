import { Registry } from 'prom-client';
import { registerGatewayMetrics } from '../../src/agent/gateway/gateway-metrics';
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
});
