import { doc, gateway, pool, rule, set, TCP_443, zone } from './model-fixture';
import { buildExportInput } from '../../src/exporters/build-export-input';
import { EgressExitMode } from '../../src/model/egress-model-document';

const storage = set('storage', [['198.51.100.0/25', 'eu-1'], ['198.51.100.128/25', 'eu-2'], ['2001:db8:100::/48', 'v6']]);

function cidrs(list: { cidr: string }[]): string[] {
  return list.map(a => a.cidr);
}

describe('sources per exit mode', () => {
  test('pod-address: the pool range, per family', () => {
    const { input, errors } = buildExportInput(doc({
      zones: [zone('pay', [rule('out', ['storage'])], { mode: EgressExitMode.POD_ADDRESS, natPools: ['pay-pool'] })],
      destinationSets: [storage],
      natPools: [pool('pay-pool', '10.250.0.0/24', false)],
    }));
    expect(errors).toEqual([]);
    const [z] = input.zones;
    expect(cidrs(z.sources)).toEqual(['10.250.0.0/24']);
    // The IPv4 halves are aggregated into one prefix with both descriptions.
    expect(z.rules.map(r => [r.id, cidrs(r.sources), cidrs(r.destinations)])).toEqual([
      ['pay-out-v4', ['10.250.0.0/24'], ['198.51.100.0/24']],
    ]);
    expect(z.rules[0].destinations[0].descriptions).toEqual(['eu-1', 'eu-2']);
    // The IPv6 destination has no IPv6 source: dropped with a warning, never "any".
    expect(input.warnings.join('\n')).toMatch(/IPv6 destinations 2001:db8:100::\/48 dropped .* no IPv6 source/);
  });

  test('gateway: its egress IPs; a rule may use another gateway or bypass it', () => {
    const { input, errors } = buildExportInput(doc({
      zones: [zone('gw', [
        rule('via-zone', ['storage']),
        rule('via-other', ['storage'], [TCP_443], { gateway: 'other' }),
        rule('direct', ['storage'], [TCP_443], { bypassGateway: true }),
      ], { mode: EgressExitMode.GATEWAY, gateway: 'main', natPools: ['p'] })],
      destinationSets: [storage],
      natPools: [pool('p', '10.244.0.0/16', false)],
      gateways: [gateway('main', ['192.0.2.65', '192.0.2.66', '2001:db8:ffff::1']), gateway('other', ['192.0.2.70'])],
    }));
    expect(errors).toEqual([]);
    const byId = Object.fromEntries(input.zones[0].rules.map(r => [r.id, cidrs(r.sources)]));
    expect(byId).toEqual({
      'gw-via-zone-v4': ['192.0.2.65/32', '192.0.2.66/32'],
      'gw-via-zone-v6': ['2001:db8:ffff::1/128'],
      'gw-via-other-v4': ['192.0.2.70/32'],
      'gw-direct-v4': ['10.244.0.0/16'],
    });
    // The default deny covers every source any of the zone's rules uses.
    expect(cidrs(input.zones[0].sources)).toEqual(['10.244.0.0/16', '192.0.2.65/32', '192.0.2.66/32', '192.0.2.70/32', '2001:db8:ffff::1/128']);
  });

  test('node-snat: the pool\'s SNAT address', () => {
    const { input } = buildExportInput(doc({
      zones: [zone('snat', [rule('out', ['storage'])], { mode: EgressExitMode.NODE_SNAT, natPools: ['p'] })],
      destinationSets: [storage],
      natPools: [pool('p', '10.244.0.0/16', true, { snatAddress: '192.0.2.99' })],
    }));
    expect(cidrs(input.zones[0].rules[0].sources)).toEqual(['192.0.2.99/32']);
  });

  test('nat-outgoing: the node ranges; a pool\'s no-NAT destinations see the pod range instead', () => {
    const corp = set('corp', [['172.16.10.5', 'sftp'], ['198.51.100.0/24', 'storage']]);
    const { input, errors } = buildExportInput(doc({
      nodeCidrs: ['192.0.2.0/26'],
      zones: [zone('batch', [rule('out', ['corp'])], { natPools: ['p'] })],
      destinationSets: [corp],
      natPools: [pool('p', '10.244.0.0/16', true, { noNatDestinations: ['172.16.0.0/12'], nodeCidrs: ['192.0.2.0/26'] })],
    }));
    expect(errors).toEqual([]);
    expect(input.zones[0].rules.map(r => [r.id, cidrs(r.sources), cidrs(r.destinations)])).toEqual([
      ['batch-out-v4', ['192.0.2.0/26'], ['198.51.100.0/24']],
      ['batch-out-nonat-v4', ['10.244.0.0/16'], ['172.16.10.5/32']],
    ]);
  });

  test('nat-outgoing without node ranges is an error naming the rule, never "any"', () => {
    const { input, errors } = buildExportInput(doc({
      zones: [zone('batch', [rule('out', ['storage'])])],
      destinationSets: [storage],
    }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/zone "batch" rule "out" leaves through NAT outgoing but no node address ranges are declared .*\(at test\/zone\/out\); hint: .*nodeCidrs/);
    expect(input.zones[0].rules).toEqual([]);
  });

  test('a gateway without egress IPs is an error', () => {
    const { errors } = buildExportInput(doc({
      zones: [zone('gw', [rule('out', ['storage'])], { mode: EgressExitMode.GATEWAY, gateway: 'g' })],
      destinationSets: [storage],
      gateways: [gateway('g', [])],
    }));
    expect(errors.join()).toMatch(/gateway "g", which has no egress IPs/);
  });
});

describe('rules', () => {
  const base = {
    nodeCidrs: ['192.0.2.0/26', '2001:db8:1::/64'],
    destinationSets: [storage, set('names', [], ['api.example.com', '*.example.org'])],
  };

  test('ports: duplicates and covered ports removed, "no ports" is all traffic, ICMP kept to its family', () => {
    const { input } = buildExportInput(doc({
      ...base,
      zones: [zone('z', [
        rule('web', ['storage'], [TCP_443, { protocol: 'TCP', fromPort: 400, toPort: 500 }, TCP_443, { protocol: 'UDP', fromPort: 53, toPort: 53 }, { protocol: 'ICMP', icmpType: 8 }]),
        rule('any', ['storage'], []),
      ])],
    }));
    const ports = Object.fromEntries(input.zones[0].rules.map(r => [r.id, r.ports.map(p => p.text)]));
    expect(ports).toEqual({
      'z-web-v4': ['icmp/8', 'tcp/400-500', 'udp/53'],
      'z-web-v6': ['tcp/400-500', 'udp/53'],
      'z-any-v4': ['all'],
      'z-any-v6': ['all'],
    });
  });

  test('an ICMP-only rule to IPv6 destinations is dropped for IPv6 with a warning', () => {
    const { input } = buildExportInput(doc({ ...base, zones: [zone('z', [rule('ping', ['storage'], [{ protocol: 'ICMP' }])])] }));
    expect(input.zones[0].rules.map(r => r.id)).toEqual(['z-ping-v4']);
    expect(input.warnings.join('\n')).toMatch(/IPv6 destinations 2001:db8:100::\/48 dropped .* none of the ports icmp exists in IPv6/);
  });

  test('domains become one rule with sources of both families', () => {
    const { input } = buildExportInput(doc({ ...base, zones: [zone('z', [rule('names', ['names'])])] }));
    expect(input.zones[0].rules).toHaveLength(1);
    expect(input.zones[0].rules[0]).toMatchObject({ id: 'z-names-dns', ipVersion: 0, domains: ['*.example.org', 'api.example.com'], destinations: [] });
    expect(cidrs(input.zones[0].rules[0].sources)).toEqual(['192.0.2.0/26', '2001:db8:1::/64']);
  });

  test('named ports are an error: a perimeter cannot resolve them', () => {
    const { errors } = buildExportInput(doc({ ...base, zones: [zone('z', [rule('named', ['storage'], [{ protocol: 'TCP', portName: 'https' }])])] }));
    expect(errors.join()).toMatch(/port "tcp\/name:https" is a named port/);
  });

  test('external DNS servers are perimeter traffic; cluster and link-local DNS are not', () => {
    const z = zone('z', []);
    const withDns = { ...z, dns: { ...z.dns, ports: [{ protocol: 'UDP', fromPort: 53, toPort: 53 }], cidrs: ['169.254.20.10', '10.96.0.10', '192.0.2.200'] } };
    const { input } = buildExportInput(doc({ ...base, zones: [withDns] }));
    expect(input.zones[0].rules.map(r => [r.id, cidrs(r.destinations), r.ports.map(p => p.text)])).toEqual([['z-dns-v4', ['192.0.2.200/32'], ['udp/53']]]);
  });

  test('zones sharing source addresses are reported; unknown zone names are errors', () => {
    const { input } = buildExportInput(doc({ ...base, zones: [zone('a', [rule('x', ['storage'])]), zone('b', [])] }));
    // one summary per app, a group per shared prefix (issue 14, item 15)
    expect(input.warnings.filter(w => /share source addresses/.test(w))).toEqual([
      'zones share source addresses, so a perimeter cannot tell their traffic apart and allows from those addresses the union of their rules: '
      + '192.0.2.0/26 (zones "a", "b"); 2001:db8:1::/64 (zones "a", "b"); hint: give a zone its own NAT pool or gateway',
    ]);
    expect(buildExportInput(doc({ ...base, zones: [zone('a', [])] }), ['nope']).errors.join()).toMatch(/zone "nope" is not in the egress model; known zones: a/);
  });
});
