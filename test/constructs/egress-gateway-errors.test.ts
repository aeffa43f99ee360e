import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterChart, gateway } from './egress-gateway-fixture';
import { Destination, EgressZone, IEgressGateway, NatPool, Port, Selector } from '../../src';
import { CalicoEnterpriseGateway } from '../../src/constructs/calico-enterprise-gateway';

describe('EgressGateway: errors at construction name field, value, reason and path', () => {
  test.each([
    ['too many replicas for the range', { egressCidr: '198.18.0.0/30', replicas: 5 },
      /^replicas "5" exceeds the 4 free address\(es\) of the IPv4 egress range 198\.18\.0\.0\/30: each replica holds one egress IP of each family \(at test\/gw\); hint: a larger egressCidr, or fewer replicas$/],
    ['too many replicas for the IPv6 range', { ipv6EgressCidr: '2001:db8:e::/126', replicas: 5, egressCidr: '198.18.0.0/29' },
      /^replicas "5" exceeds the 4 free address\(es\) of the IPv6 egress range 2001:db8:e::\/126: each replica holds one egress IP of each family \(at test\/gw\); hint: a larger ipv6EgressCidr, or fewer replicas$/],
    ['IPv6 range in egressCidr', { egressCidr: '2001:db8::/126' }, /^egressCidr "2001:db8::\/126" is IPv6, but egressCidr takes IPv4 addresses \(at test\/gw\); hint: put IPv6 egress addresses in ipv6EgressCidr or ipv6EgressIps$/],
    ['IPv6 egress IP in egressIps', { egressCidr: undefined, egressIps: ['198.18.0.1', '2001:db8::1'] }, /^egressIps\[1\] "2001:db8::1" is IPv6, but egressIps takes IPv4 addresses \(at test\/gw\); hint: put IPv6/],
    ['IPv4 range in ipv6EgressCidr', { ipv6EgressCidr: '198.18.1.0/30' }, /^ipv6EgressCidr "198\.18\.1\.0\/30" is IPv4, but ipv6EgressCidr takes IPv6 addresses \(at test\/gw\); hint: put IPv4 egress addresses in egressCidr or egressIps$/],
    ['no range of either family', { egressCidr: undefined }, /^egressCidr "" and ipv6EgressCidr are both missing: a gateway needs an egress range \(at test\/gw\); hint: give egressCidr/],
    ['both range and IPs', { egressIps: ['198.18.0.1'] }, /^egressCidr "198\.18\.0\.0\/29" and egressIps: give one of them, not both \(at test\/gw\); hint: egressCidr for a range, egressIps for scattered addresses$/],
    ['both IPv6 range and IPs', { ipv6EgressCidr: '2001:db8:e::/120', ipv6EgressIps: ['2001:db8:e::1'] }, /^ipv6EgressCidr "2001:db8:e::\/120" and ipv6EgressIps: give one of them, not both \(at test\/gw\)/],
    ['an IPv6 range in ipv6EgressIps', { ipv6EgressIps: ['2001:db8:e::/127'] }, /^ipv6EgressIps\[0\] "2001:db8:e::\/127" is not a single address \(at test\/gw\); hint: use ipv6EgressCidr/],
    ['an empty ipv6EgressIps', { ipv6EgressIps: [] }, /^ipv6EgressIps "\[\]" is empty: give at least one egress IP, or leave the field out \(at test\/gw\)$/],
    ['a range in egressIps', { egressCidr: undefined, egressIps: ['198.18.0.0/30'] }, /^egressIps\[0\] "198\.18\.0\.0\/30" is not a single address \(at test\/gw\); hint: use egressCidr/],
    ['a malformed range', { egressCidr: '198.18.0.300/29' }, /^egressCidr "198\.18\.0\.300\/29" .*\(at test\/gw\)/],
    ['more than 256 addresses', { egressCidr: '198.18.0.0/23' }, /^egressCidr "198\.18\.0\.0\/23" has 512 addresses; a gateway range has at most 256 per family \(at test\/gw\); hint: a \/24 or a longer prefix$/],
    ['more than 256 IPv6 addresses', { ipv6EgressCidr: '2001:db8:e::/64' }, /^ipv6EgressCidr "2001:db8:e::\/64" has 18446744073709551616 addresses; a gateway range has at most 256 per family \(at test\/gw\); hint: a \/120 or a longer prefix$/],
    ['an IPv6 block size outside Calico\'s', { ipv6EgressCidr: '2001:db8:e::/120', ipv6BlockSize: 64 }, /^ipv6BlockSize "64" is outside 116-128, the block sizes Calico allows for IPv6 pools \(at test\/gw\)$/],
    ['zero replicas', { replicas: 0 }, /^replicas "0" is not a whole number of at least 1 \(at test\/gw\)$/],
    ['blocks fewer than replicas', { egressCidr: '198.18.0.0/28', replicas: 3, blockSize: 29 }, /^blockSize "29" leaves 2 block\(s\) for 3 replicas on distinct nodes: each node takes a block of its own \(at test\/gw\); hint: blockSize 30 or larger$/],
    ['a bad failure threshold', { failureDetection: { failureThreshold: 0 } }, /^failureDetection\.failureThreshold "0" is not a whole number in 1-100 \(at test\/gw\)$/],
    ['a bad namespace', { namespace: 'Egress' }, /^namespace "Egress" is not a DNS-1123 label/],
  ])('%s', (_, props, message) => {
    expect(() => gateway(clusterChart(), props as any)).toThrow(message);
  });

  test('node agent options set on two gateways', () => {
    const chart = clusterChart();
    gateway(chart, { nodeAgent: { healthPort: 9555 } });
    expect(() => gateway(chart, { egressCidr: '198.18.1.0/30', nodeAgent: { healthPort: 9556 } }, 'gw2'))
      .toThrow(/^nodeAgent ".*" is set again; the app has one node agent, already configured at test\/gw\/NodeAgent \(at test\/gw2\); hint: set nodeAgent on one gateway only$/);
  });
});

describe('EgressGateway: errors at synth time', () => {
  function withZone(zoneProps: Partial<ConstructorParameters<typeof EgressZone>[2]>, nodeCidrs?: string[]) {
    const chart = clusterChart(nodeCidrs);
    const gw = gateway(chart);
    const zone = new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw, ...zoneProps });
    return { chart, gw, zone };
  }

  test('a zone selector that cannot become matchLabels', () => {
    const { chart } = withZone({ podSelector: Selector.parse('app starts with "sync"') });
    expect(() => Testing.synth(chart)).toThrow(/podSelector "app starts with \\?"sync\\?"" of zone "partners" \(at test\/partners\) cannot become matchLabels: .*; hint: select the zone's pods with == and && only/);
  });

  test('a zone selector with a requirement other than equality', () => {
    const { chart } = withZone({ podSelector: Selector.parse('has(app) && tier != "db"') });
    expect(() => Testing.synth(chart)).toThrow(/podSelector ".*" of zone "partners" \(at test\/partners\) cannot become matchLabels \(the node agent matches pods by label equality only: app Exists, tier NotIn\)/);
  });

  test('a zone choosing namespaces by label', () => {
    const { chart } = withZone({ namespaces: [], namespaceSelector: Selector.labelEquals('team', 'partners') });
    expect(() => Testing.synth(chart)).toThrow(/namespaceSelector "team == \\?"partners\\?"" of zone "partners" \(at test\/partners\) cannot be steered: the node agent matches zone pods by namespace name; hint: list the namespaces/);
  });

  test('an IPv6 destination through a gateway without an IPv6 range', () => {
    const { chart, zone } = withZone({});
    zone.allow('v6', { to: [Destination.cidr('2001:db8:100::/48')], ports: [Port.tcp(443)] });
    expect(() => Testing.synth(chart)).toThrow(/destination "2001:db8:100::\/48" of rule "v6" of zone "partners" \(at test\/partners\/v6\) is IPv6, but gateway "gw" has no IPv6 egress address to leave with; hint: give the gateway an IPv6 range \(ipv6EgressCidr\), or bypassGateway/);
  });

  test('a protocol the gateway cannot filter, and a named port', () => {
    const { chart, zone } = withZone({});
    zone.allow('sctp', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.sctp(3868)] });
    zone.allow('named', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.named('https')] });
    // Both problems in one error: a user sees all of them in one synth.
    expect(() => Testing.synth(chart)).toThrow(new RegExp([
      /port "sctp\/3868" of rule "sctp" of zone "partners" \(at test\/partners\/sctp\) uses protocol SCTP, which the gateway data path cannot filter/.source,
      /[^]*port ".*https" of rule "named" .* is a named port/.source,
    ].join('')));
  });

  test('an unknown gateway', () => {
    const chart = clusterChart();
    gateway(chart);
    const ghost: IEgressGateway = Object.assign(new Construct(chart, 'ghost'), { gatewayName: 'ghost' });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: ghost });
    expect(() => Testing.synth(chart)).toThrow(/gateway "ghost" is not declared \(zone at test\/partners\)/);
  });

  test('a zone leaving through two gateways', () => {
    const { chart, zone } = withZone({});
    const other = gateway(chart, { egressCidr: '198.18.1.0/30' }, 'other');
    zone.allow('vendor', { to: [Destination.cidr('203.0.113.0/24')], via: other });
    expect(() => Testing.synth(chart)).toThrow(/zone "partners" leaves through gateways "gw" \(at test\/partners\) and "other" \(at test\/partners\/vendor\); the data path steers a zone through one gateway/);
  });

  test('no node ranges: the gateway policy could not admit nodes only', () => {
    const { chart } = withZone({}, []);
    expect(() => Testing.synth(chart)).toThrow(/nodeCidrs "\[\]" are unknown, so the policy of gateway "gw" cannot admit tunnel traffic from nodes only \(at test\/gw\); hint: declare ClusterNetwork nodeCidrs/);
  });

  test('an egress range inside the cluster ranges', () => {
    const chart = clusterChart();
    const gw = gateway(chart, { egressCidr: '10.244.250.0/30' });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw });
    // One problem for the range, not one per address.
    expect(() => Testing.synth(chart)).toThrow(/^egressIps "10\.244\.250\.0\/30" is inside the cluster range 10\.244\.0\.0\/16 \(at test\/gw\); hint: take the egress range out of ClusterNetwork podCidrs/);
  });

  // Issue 21, item 13: these were the agents' parser's "$.gateways[0]…" lines, one per address, with no path or hint.
  test('an egress range inside the node range', () => {
    const chart = clusterChart(['192.0.2.0/24']);
    const gw = gateway(chart, { egressCidr: '192.0.2.64/29' });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw });
    expect(() => Testing.synth(chart)).toThrow(/^egressIps "192\.0\.2\.64\/29" is inside the node range 192\.0\.2\.0\/24 \(at test\/gw\); hint: give the gateway an egress range outside ClusterNetwork nodeCidrs/);
  });

  test('two gateways with the same egress addresses', () => {
    const chart = clusterChart();
    const gw = gateway(chart, { egressCidr: '198.18.0.0/29' });
    const other = gateway(chart, { namespace: 'egress-b', egressCidr: undefined, egressIps: ['198.18.0.6', '198.18.0.7', '198.18.0.9'] }, 'other');
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw });
    new EgressZone(chart, 'vendors', { namespaces: ['vendors'], gateway: other });
    expect(() => Testing.synth(chart)).toThrow(/^egressIps "198\.18\.0\.6\/31" of gateway "other" are also egress addresses of gateway "gw" \(at test\/gw and test\/other\); hint: give each gateway an egress range of its own$/);
  });

  test('a NAT pool named like the gateway\'s IPPool', () => {
    const { chart } = withZone({});
    new NatPool(chart, 'clash', { cidr: '10.250.0.0/24', name: 'gw-egress' });
    expect(() => Testing.synth(chart)).toThrow(/NAT pool name "gw-egress" is also the IPPool of gateway "gw" \(at test\/clash and test\/gw\)/);
  });

  test('a Calico Enterprise gateway is left to its backend, not to the data path', () => {
    const chart = clusterChart();
    gateway(chart);
    new CalicoEnterpriseGateway(chart, 'cege', { namespace: 'egress', egressCidr: '198.18.2.0/30' });
    const cm = Testing.synth(chart).find(o => o.kind === 'ConfigMap' && o.metadata.name === 'egress-data-path');
    expect(JSON.parse(cm.data['data-path.json']).gateways.map((g: any) => g.name)).toEqual(['gw']);
  });
});
