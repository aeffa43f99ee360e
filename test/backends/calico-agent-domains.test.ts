import { Testing } from 'cdk8s';
import { CanReach, ClusterNetwork, Destination, EgressModel, EgressZone, Port } from '../../src';
import { clusterChart, dataPathOf, gateway, objectsOf, one } from '../constructs/egress-gateway-fixture';

// Domain names on open-source Calico, enforced by the node agent (docs/domain-names.md): what Felix gets and
// what the agent reads.

function stripeEstate() {
  const chart = clusterChart();
  gateway(chart);
  const orders = new EgressZone(chart, 'orders', { namespaces: ['orders'] });
  orders.allow('stripe', { to: [Destination.domain('api.stripe.com'), Destination.domain('*.stripe.com')], ports: [Port.tcp(443)] });
  orders.allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  const plain = new EgressZone(chart, 'plain', { namespaces: ['plain'] });
  plain.allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  return chart;
}

describe('Destination.domain() on Backend.CALICO', () => {
  const objects = objectsOf(stripeEstate(), 'GlobalNetworkPolicy');
  const all = Testing.synth(stripeEstate());
  const policy = one(objects, 'GlobalNetworkPolicy', 'egress-orders');
  const rulesNamed = (p: any, name: string) => p.spec.egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === name);

  test('DNS goes only to the node agent\'s proxy, not to the cluster DNS (no agent: nothing resolves)', () => {
    const dns = rulesNamed(policy, 'dns-proxy');
    expect(dns.map((r: any) => [r.protocol, r.destination.nets, r.destination.ports])).toEqual([
      ['UDP', ['169.254.101.53/32'], [10053]], ['TCP', ['169.254.101.53/32'], [10053]],
    ]);
    expect(rulesNamed(policy, 'dns')).toEqual([]);
    // A zone without domain rules keeps the cluster DNS.
    expect(rulesNamed(one(objects, 'GlobalNetworkPolicy', 'egress-plain'), 'dns').length).toBeGreaterThan(0);
  });

  test('the domain rule opens its ports only, to external addresses only; the default deny stays last', () => {
    const stripe = rulesNamed(policy, 'stripe');
    expect(stripe.map((r: any) => [r.protocol, r.ipVersion, r.destination.nets, r.destination.ports])).toEqual([
      ['TCP', 4, ['0.0.0.0/0'], [443]], ['TCP', 6, ['::/0'], [443]],
    ]);
    expect(stripe[0].destination.notNets).toEqual(expect.arrayContaining(['10.244.0.0/16', '10.96.0.0/12', '192.0.2.0/24']));
    expect(policy.spec.egress.at(-1).action).toBe('Deny');
  });

  test('the data-path document carries the zone\'s domain rules and its other addresses', () => {
    const config = dataPathOf(all);
    expect(config.zones.map(z => z.name)).toContain('orders');
    expect(config.domains?.proxy).toEqual({ address: '169.254.101.53', port: 10053 });
    expect(config.domains?.zones).toEqual([{
      zone: 'orders',
      rules: [{ name: 'stripe', patterns: ['*.stripe.com', 'api.stripe.com'], protocol: 'tcp', ports: ['443'] }],
      addresses: ['203.0.113.0/24'],
    }]);
  });

  test('a domain rule on ICMP is an error', () => {
    const chart = clusterChart();
    gateway(chart);
    new EgressZone(chart, 'orders', { namespaces: ['orders'] }).allow('ping', { to: [Destination.domain('api.stripe.com')], ports: [Port.icmp()] });
    expect(() => Testing.synth(chart)).toThrow(/port "icmp" of rule "ping" of zone "orders".*matches domain rules on TCP, UDP or every protocol/);
  });
});

describe('can-reach on a zone whose domain rules the node agent enforces', () => {
  const doc = EgressModel.of(stripeEstate());
  const ask = (to: string) => CanReach.evaluate(doc, { namespace: 'orders', ...CanReach.parseDestination(to) });

  test('by name: the rule that allows it; the wildcard does not cover the bare parent', () => {
    expect([ask('api.stripe.com:443/tcp').allowed, ask('api.stripe.com:443/tcp').rule]).toEqual([true, 'stripe']);
    expect(ask('files.eu.stripe.com:443/tcp').allowed).toBe(true);
    expect(ask('stripe.com:443/tcp').allowed).toBe(false);
    expect(ask('api.stripe.com:80/tcp').allowed).toBe(false);
  });

  test('by address: "allowed only after a lookup of …" on the rule\'s ports, a plain deny elsewhere', () => {
    const a = ask('198.51.100.7:443/tcp');
    expect([a.allowed, a.rule]).toEqual([false, 'stripe']);
    expect(a.reason).toContain('allowed only after a lookup of *.stripe.com, api.stripe.com by a pod of zone "orders"');
    expect(ask('198.51.100.7:22/tcp').rule).toBe('default-deny-external');
    expect(ask('203.0.113.9:443/tcp').allowed).toBe(true);
  });
});

describe('NodeLocal DNSCache: the DNS addresses the agent rewrites before conntrack', () => {
  function nodeLocalEstate(dnsServiceAddress?: string) {
    const chart = Testing.chart();
    new ClusterNetwork(chart, 'cluster', {
      podCidrs: ['10.244.0.0/16'],
      serviceCidrs: ['10.96.0.0/12'],
      nodeCidrs: ['192.0.2.0/24'],
      dnsServiceAddress,
      dns: { cidrs: ['169.254.20.10/32', '10.0.0.0/24'] },
    });
    gateway(chart);
    new EgressZone(chart, 'orders', { namespaces: ['orders'] }).allow('stripe', { to: [Destination.domain('api.stripe.com')], ports: [Port.tcp(443)] });
    return Testing.synth(chart);
  }

  test('the single addresses among the DNS cidrs and the cluster DNS Service, each with a proxy port of its own', () => {
    // NodeLocal DNSCache NOTRACKs 169.254.20.10 (and the Service address it also binds): the DNAT never sees those.
    expect(dataPathOf(nodeLocalEstate('10.96.0.10')).domains?.localServers).toEqual([
      { address: '10.96.0.10', port: 10054 }, { address: '169.254.20.10', port: 10055 },
    ]);
    expect(dataPathOf(nodeLocalEstate()).domains?.localServers).toEqual([{ address: '169.254.20.10', port: 10054 }]);
  });

  test('Felix allows the zone\'s DNS to exactly those proxy ports, on the proxy\'s address only', () => {
    const policy = one(nodeLocalEstate('10.96.0.10'), 'GlobalNetworkPolicy', 'egress-orders');
    const dns = policy.spec.egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'dns-proxy');
    expect(dns.map((r: any) => [r.protocol, r.destination.nets, r.destination.ports])).toEqual([
      ['UDP', ['169.254.101.53/32'], ['10053:10055']], ['TCP', ['169.254.101.53/32'], ['10053:10055']],
    ]);
  });
});
