/**
 * Issue 14, item 9: the egress map draws each destination through the exit its traffic takes.
 */
import { Destination, EgressMap, EgressModel, EgressZone, NatPool, Port } from '../../../src';
import { EgressGateway } from '../../../src/constructs/egress-gateway';
import { chartFor } from '../support';

/** The exit node labels each set is reached through, from the DOT graph. */
function exitsOfSets(dot: string): Map<string, string[]> {
  const labels = new Map<string, string>();
  for (const m of dot.matchAll(/^\s+(n\d+) \[label="((?:[^"\\]|\\.)*)"/gm)) labels.set(m[1], m[2].replace(/\\n/g, '\n'));
  const out = new Map<string, string[]>();
  for (const m of dot.matchAll(/^\s+(n\d+) -> (n\d+)/gm)) {
    const to = labels.get(m[2])!;
    const from = labels.get(m[1])!;
    if (from.startsWith('zone ')) continue;
    const set = to.split('\n')[0];
    out.set(set, [...(out.get(set) ?? []), from]);
  }
  return out;
}

test('a bypassGateway rule is drawn through the direct exit, not the gateway', () => {
  const { chart } = chartFor('calico');
  const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: '198.18.0.0/29' });
  const zone = new EgressZone(chart, 'shop', { namespaces: ['shop'], gateway: gw });
  zone.allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  zone.allow('peered', { to: [Destination.cidr('172.20.0.0/16')], ports: [Port.tcp(443)], bypassGateway: true });
  const exits = exitsOfSets(EgressMap.toDot(EgressModel.of(chart)));
  expect(exits.get('shop-partner')!.every(e => /gateway gw/.test(e))).toBe(true);
  expect(exits.get('shop-peered')!.some(e => /gateway/.test(e))).toBe(false);
});

test('a noNatDestinations destination is drawn with the pod addresses, not through node NAT', () => {
  const { chart } = chartFor('calico');
  const pool = new NatPool(chart, 'batch-pool', { cidr: '10.244.0.0/16', natOutgoing: true, noNatDestinations: ['172.16.0.0/12'] });
  const zone = new EgressZone(chart, 'batch', { namespaces: ['batch'], natPools: [pool] });
  zone.allow('sftp', { to: [Destination.cidr('172.16.10.5')], ports: [Port.tcp(22)] });
  zone.allow('storage', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)] });
  const exits = exitsOfSets(EgressMap.toDot(EgressModel.of(chart)));
  expect(exits.get('batch-sftp')!.every(e => /pod addresses/.test(e))).toBe(true);
  expect(exits.get('batch-storage')!.every(e => /NAT outgoing/.test(e))).toBe(true);
});
