import { Testing } from 'cdk8s';
import { Backend, CanReach, Destination, EgressMap, EgressModel, EgressZone, Port } from '../../src';
import { buildExportInput } from '../../src/exporters/build-export-input';
import { ZoneSources } from '../../src/model/zone-source';
import { clusterChart, dataPathOf, gateway, one } from '../constructs/egress-gateway-fixture';

// Domain rules through a cdk8s-egress gateway on open-source Calico (docs/domain-names.md "Through a gateway"): the
// source node's agent decides (learned addresses), the gateway admits the rule's ports for the zone's tunnel, and
// the traffic leaves with the gateway's egress IPs.

function stripeEstate(gatewayProps = {}) {
  const chart = clusterChart();
  const gw = gateway(chart, gatewayProps);
  const orders = new EgressZone(chart, 'orders', { namespaces: ['orders'] });
  orders.egressVia(gw);
  orders.allow('stripe', { to: [Destination.domain('api.stripe.com'), Destination.domain('*.stripe.com')], ports: [Port.tcp(443)] });
  orders.allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  return { chart, gw, orders };
}

const rulesNamed = (p: any, name: string) => p.spec.egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === name);
const CLUSTER = ['10.244.0.0/16', '10.96.0.0/12', '192.0.2.0/24'];

describe('a domain rule through a gateway on Backend.CALICO', () => {
  const objects = Testing.synth(stripeEstate().chart);
  const config = dataPathOf(objects);

  test('the zone\'s policy: DNS only to the node agent\'s proxy; the rule\'s ports to external IPv4 only (the gateway has no IPv6 egress IP)', () => {
    const policy = one(objects, 'GlobalNetworkPolicy', 'egress-orders');
    expect(rulesNamed(policy, 'dns-proxy').length).toBe(2);
    const stripe = rulesNamed(policy, 'stripe');
    expect(stripe.map((r: any) => [r.action, r.protocol, r.ipVersion, r.destination.nets, r.destination.ports])).toEqual([['Allow', 'TCP', 4, ['0.0.0.0/0'], [443]]]);
    expect(stripe[0].destination.notNets).toEqual(expect.arrayContaining(CLUSTER));
    expect(policy.spec.egress.at(-1).action).toBe('Deny');
  });

  test('with an IPv6 egress range, IPv6 answers may go through the gateway too', () => {
    const policy = one(Testing.synth(stripeEstate({ ipv6EgressCidr: '2001:db8:e::/126' }).chart), 'GlobalNetworkPolicy', 'egress-orders');
    expect(rulesNamed(policy, 'stripe').map((r: any) => [r.ipVersion, r.destination.nets])).toEqual([[4, ['0.0.0.0/0']], [6, ['::/0']]]);
  });

  test('the data path: version 3; the node\'s gate has the rule, the gateway its ports; the allow-list keeps addresses only', () => {
    expect(config.version).toBe(3);
    const orders = config.zones.find(z => z.name === 'orders')!;
    expect([orders.gateway, orders.domainRules]).toEqual(['gw', [{ name: 'stripe', protocol: 'tcp', ports: ['443'] }]]);
    expect(orders.allow.map(a => `${a.cidr} ${a.protocol} ${a.ports.join(',')}`)).toEqual(['203.0.113.0/24 tcp 443']);
    expect(config.domains?.zones).toEqual([{
      zone: 'orders', rules: [{ name: 'stripe', patterns: ['*.stripe.com', 'api.stripe.com'], protocol: 'tcp', ports: ['443'] }], addresses: ['203.0.113.0/24'],
    }]);
  });

  test('the gateway pods\' policy allows the rule\'s ports to external IPv4 addresses only, before its final deny', () => {
    const policy = one(objects, 'NetworkPolicy', 'egress-gateway-gw');
    const stripe = rulesNamed(policy, 'stripe');
    expect(stripe.map((r: any) => [r.action, r.protocol, r.ipVersion, r.destination.nets, r.destination.ports, r.metadata.annotations['egress.cdk8s.io/zone']]))
      .toEqual([['Allow', 'TCP', 4, ['0.0.0.0/0'], [443], 'orders']]);
    expect(stripe[0].destination.notNets).toEqual(expect.arrayContaining(CLUSTER));
    expect(policy.spec.egress.at(-1)).toMatchObject({ action: 'Deny' });
    expect(rulesNamed(policy, 'partner')[0].destination.nets).toEqual(['203.0.113.0/24']);
  });

  test('can-reach: by name, allowed and leaving with the gateway\'s egress IPs; by address, only after a lookup, then through the gateway', () => {
    const doc = EgressModel.of(stripeEstate().chart);
    const zone = doc.zones.find(z => z.name === 'orders')!;
    const egressIps = doc.gateways.find(g => g.name === 'gw')!.egressIps;
    const byName = CanReach.evaluate(doc, { namespace: 'orders', ...CanReach.parseDestination('api.stripe.com:443/tcp') });
    expect([byName.allowed, byName.rule]).toEqual([true, 'stripe']);
    const source = ZoneSources.forDestination(doc, zone, 'api.stripe.com', zone.rules.find(r => r.name === 'stripe'));
    expect([source.mode, source.cidrs]).toEqual(['gateway', egressIps]);
    expect(egressIps).toHaveLength(8);
    const byAddress = CanReach.evaluate(doc, { namespace: 'orders', ...CanReach.parseDestination('198.51.100.7:443/tcp') });
    expect([byAddress.allowed, byAddress.rule]).toEqual([false, 'stripe']);
    expect(byAddress.reason).toMatch(/allowed only after a lookup of \*\.stripe\.com, api\.stripe\.com by a pod of zone "orders".*; it then leaves via gateway gw \(198\.18\.0\.0, .*, 198\.18\.0\.7\)$/);
  });

  test('the firewall exports and the egress map: the domain rule\'s source is the gateway\'s egress range', () => {
    const doc = EgressModel.of(stripeEstate().chart);
    const { input } = buildExportInput(doc);
    const dns = input.zones.find(z => z.name === 'orders')!.rules.find(r => r.domains.length > 0)!;
    expect([dns.domains, dns.sources.map(s => s.cidr)]).toEqual([['*.stripe.com', 'api.stripe.com'], ['198.18.0.0/29']]);
    const dot = EgressMap.toDot(doc);
    const exit = /(n\d+) \[label="gateway gw \(198\.18\.0\.0,[^"]*", shape=hexagon\]/.exec(dot);
    const set = /(n\d+) \[label="[^"]*api\.stripe\.com[^"]*", shape=folder\]/.exec(dot);
    expect(exit && set).toBeTruthy();
    expect(dot).toContain(`${exit![1]} -> ${set![1]} [label="orders: tcp/443"]`);
  });
});

test('on Calico Enterprise through our gateway, Felix\'s own domain policy is the source gate: the gateway gets the ports, the node agent no domain section', () => {
  const chart = clusterChart();
  const gw = gateway(chart);
  const zone = new EgressZone(chart, 'orders', { namespaces: ['orders'], backend: Backend.CALICO_ENTERPRISE });
  zone.egressVia(gw);
  zone.allow('stripe', { to: [Destination.domain('api.stripe.com')], ports: [Port.tcp(443)] });
  const config = dataPathOf(Testing.synth(chart));
  expect([config.version, config.zones[0].domainRules, config.domains]).toEqual([3, [{ name: 'stripe', protocol: 'tcp', ports: ['443'] }], undefined]);
});

describe('domain rules that cannot go through the gateway', () => {
  test('a domain rule that bypasses the zone\'s gateway is an error naming the rule, with a hint', () => {
    const { chart, orders } = stripeEstate();
    orders.allow('direct', { to: [Destination.domain('files.example.com')], ports: [Port.tcp(443)], bypassGateway: true });
    expect(() => Testing.synth(chart)).toThrow(/domain names of rule "direct" of zone "orders" \(at test\/orders\/direct\) would leave directly, but the zone's other traffic leaves through gateway "gw".*hint: let the domain rule go through gateway "gw" too/s);
  });

  test('a zone whose one address rule goes through the gateway steers everything: its direct domain rule is an error too', () => {
    const chart = clusterChart();
    const gw = gateway(chart);
    const zone = new EgressZone(chart, 'orders', { namespaces: ['orders'] });
    zone.allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)], via: gw });
    zone.allow('stripe', { to: [Destination.domain('api.stripe.com')], ports: [Port.tcp(443)] });
    expect(() => Testing.synth(chart)).toThrow(/domain names of rule "stripe" of zone "orders" \(at test\/orders\/stripe\) would leave directly/);
  });

  test('a domain rule through the gateway on ICMP is an error, reported once', () => {
    const { chart, orders } = stripeEstate();
    orders.allow('ping', { to: [Destination.domain('api.stripe.com')], ports: [Port.icmp()] });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.match(/port "icmp" of rule "ping" of zone "orders"/g)).toHaveLength(1);
  });
});
