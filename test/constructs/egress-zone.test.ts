import { Chart, Testing } from 'cdk8s';
import {
  AllowExternal, ClusterNetwork, Destination, DestinationSet, EgressModel, EgressZone, NatPool, Port, Protocol, Selector,
} from '../../src';

function chart(): Chart {
  return Testing.chart();
}

function kinds(objs: any[], kind: string): any[] {
  return objs.filter(o => o.kind === kind);
}

describe('EgressZone on Calico', () => {
  test('one GlobalNetworkPolicy per zone: DNS, allowed sets per protocol, then deny external', () => {
    const c = chart();
    new ClusterNetwork(c, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] });
    const zone = new EgressZone(c, 'payments', { namespaces: ['payments'], podSelector: Selector.parse('app == "api"') });
    zone.allow('cards', {
      to: [Destination.cidrs(['203.0.113.0/25', '203.0.113.128/25'], 'card processor')],
      ports: [Port.tcp(443), Port.tcp(8443), Port.icmp({ type: 8 })],
      description: 'cards',
    });
    const objs = Testing.synth(c);
    const [gnp] = kinds(objs, 'GlobalNetworkPolicy');
    expect(gnp.apiVersion).toBe('projectcalico.org/v3');
    expect(gnp.metadata.name).toBe('egress-payments');
    expect(gnp.spec.order).toBe(100);
    expect(gnp.spec.types).toEqual(['Egress']);
    expect(gnp.spec.selector).toBe('app == "api"');
    expect(gnp.spec.namespaceSelector).toBe('projectcalico.org/name == "payments"');
    const egress = gnp.spec.egress;
    // DNS on UDP and TCP to kube-dns
    expect(egress.slice(0, 2).map((r: any) => [r.action, r.protocol, r.destination.selector, r.destination.ports])).toEqual([
      ['Allow', 'UDP', 'k8s-app == "kube-dns"', [53]],
      ['Allow', 'TCP', 'k8s-app == "kube-dns"', [53]],
    ]);
    const allows = egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'cards');
    // A rule's own few addresses go into the rule itself (aggregated), one rule per protocol and family.
    expect(allows.map((r: any) => [r.protocol, r.destination.ports ?? null, r.icmp ?? null, r.ipVersion ?? null])).toEqual([
      ['ICMP', null, { type: 8 }, 4],
      ['TCP', [443, 8443], null, 4],
    ]);
    for (const r of allows) expect(r.destination.nets).toEqual(['203.0.113.0/24']);
    // Deny external per family; in-cluster falls through to later policies.
    expect(egress.slice(-2)).toEqual([
      { action: 'Deny', ipVersion: 4, destination: { notNets: ['10.244.0.0/16', '10.96.0.0/12'] }, metadata: { annotations: { 'egress.cdk8s.io/rule': 'default-deny-external' } } },
      { action: 'Deny', ipVersion: 6, destination: { notNets: ['fd00:10:96::/112'] }, metadata: { annotations: { 'egress.cdk8s.io/rule': 'default-deny-external' } } },
    ]);
    // ...so no network set object is needed for them.
    expect(kinds(objs, 'GlobalNetworkSet')).toEqual([]);
  });

  test('inline lists longer than INLINE_NETS_MAX, and shared sets, become network sets selected by label', () => {
    const c = chart();
    const zone = new EgressZone(c, 'z', { namespaces: ['z'] });
    const many = Array.from({ length: 40 }, (_, i) => `198.18.${i * 2}.0/24`);
    zone.allow('many', { to: [Destination.cidrs(many)], ports: [Port.tcp(443)] });
    const objs = Testing.synth(c);
    const [set] = kinds(objs, 'GlobalNetworkSet');
    expect(set.metadata.name).toBe('z-many');
    expect(set.metadata.labels['egress.cdk8s.io/destination-set']).toBe('z-many');
    expect(set.spec.nets).toHaveLength(40);
    const rule = kinds(objs, 'GlobalNetworkPolicy')[0].spec.egress.find((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'many');
    expect(rule.destination).toEqual({ selector: 'egress.cdk8s.io/destination-set == "z-many"', ports: [443] });
  });

  test('the same rule id in two zones does not collide', () => {
    const c = chart();
    for (const z of ['a', 'b']) new EgressZone(c, z, { namespaces: [z] }).allow('https', { to: [Destination.cidr('192.0.2.1')], ports: [Port.tcp(443)] });
    expect(EgressModel.of(c).destinationSets.map(s => s.name)).toEqual(['a-https', 'b-https']);
  });

  test('a shared destination set is written once for many zones', () => {
    const c = chart();
    const storage = new DestinationSet(c, 'storage', { cidrs: ['198.51.100.0/24', '2001:db8::/48'] });
    for (const name of ['a', 'b', 'c']) {
      new EgressZone(c, name, { namespaces: [name] }).allow('storage', { to: [Destination.set(storage)], ports: [Port.tcp(443)] });
    }
    const objs = Testing.synth(c);
    expect(kinds(objs, 'GlobalNetworkSet')).toHaveLength(1);
    expect(kinds(objs, 'GlobalNetworkPolicy')).toHaveLength(3);
    expect(kinds(objs, 'GlobalNetworkSet')[0].spec.nets).toEqual(['198.51.100.0/24', '2001:db8::/48']);
  });

  test('without ClusterNetwork, everything not allowed is denied; allowInCluster adds a workload rule', () => {
    const c = chart();
    new EgressZone(c, 'locked', { namespaces: ['sandbox', 'tools'], allowInCluster: true, dns: { enabled: false } });
    const [gnp] = kinds(Testing.synth(c), 'GlobalNetworkPolicy');
    expect(gnp.spec.namespaceSelector).toBe('projectcalico.org/name in {"sandbox", "tools"}');
    expect(gnp.spec.egress.map((r: any) => r.action)).toEqual(['Allow', 'Deny']);
    expect(gnp.spec.egress[0].destination).toEqual({ namespaceSelector: 'all()', selector: '!has(egress.cdk8s.io/destination-set)' });
    expect(gnp.spec.egress[1]).toEqual({ action: 'Deny', metadata: { annotations: { 'egress.cdk8s.io/rule': 'default-deny-external' } } });
  });

  test('rules can be added after construction (rendered lazily at synth)', () => {
    const c = chart();
    const zone = new EgressZone(c, 'z', { namespaces: ['z'] });
    zone.allow('late', { to: [Destination.cidr('192.0.2.10')], ports: [Port.udp(123)] });
    const gnp = kinds(Testing.synth(c), 'GlobalNetworkPolicy')[0];
    expect(gnp.spec.egress.some((r: any) => r.protocol === 'UDP' && r.destination.ports?.[0] === 123)).toBe(true);
  });

  test('order and tier are configurable; the tier prefixes the name as Calico requires', () => {
    const c = chart();
    new EgressZone(c, 'z', { namespaces: ['z'], order: 10, tier: 'platform' });
    const gnp = kinds(Testing.synth(c), 'GlobalNetworkPolicy')[0];
    expect(gnp.metadata.name).toBe('platform.egress-z');
    expect(gnp.spec.tier).toBe('platform');
    expect(gnp.spec.order).toBe(10);
  });

  test('domains on open-source Calico without the node agent (no EgressGateway) are a clear error', () => {
    const c = chart();
    new EgressZone(c, 'z', { namespaces: ['z'] }).allow('api', { to: [Destination.domain('api.example.com')], ports: [Port.tcp(443)] });
    expect(() => Testing.synth(c)).toThrow(/backend "calico" matches domain names through the cdk8s-egress node agent, which no EgressGateway of the app deploys \(rule "api" of zone "z": api.example.com\) \(at test\/z\/api\); hint: declare an EgressGateway/);
  });
});

describe('EgressZone input errors name the construct path, the field and the reason', () => {
  test.each([
    [(c: Chart) => new EgressZone(c, 'z', {}), /namespaces "\[\]" is empty and no namespaceSelector is given.*\(at test\/z\)/],
    [(c: Chart) => new EgressZone(c, 'z', { namespaces: ['Bad_NS'] }), /namespaces\[0\] "Bad_NS" is not a DNS-1123 label.*\(at test\/z\)/],
    [(c: Chart) => new EgressZone(c, 'Z!', { namespaces: ['a'], name: 'Z!' }), /name "Z!" is not a DNS-1123 label/],
    [(c: Chart) => new EgressZone(c, 'z', { namespaces: ['a'], podSelector: Selector.global() }), /podSelector "global\(\)" uses global\(\)/],
    [(c: Chart) => new EgressZone(c, 'z', { namespaces: ['a'], order: -1 }), /order "-1" is not a finite, non-negative number/],
    [(c: Chart) => new EgressZone(c, 'z', { namespaces: ['a'] }).allow('r', { to: [] }), /to "\[\]" is empty: a rule needs at least one destination \(at test\/z\/r\)/],
    [(c: Chart) => new EgressZone(c, 'z', { namespaces: ['a'] }).allow('r', { to: [Destination.cidr('10.0.0.1/8')] }), /to\[0\] "10.0.0.1\/8" .*host bits.*\(at test\/z\/r\)/],
    [(c: Chart) => new DestinationSet(c, 's', { domains: ['not a domain'] }), /domains\[0\] "not a domain" is not a domain name/],
  ])('case %#', (make, message) => {
    expect(() => make(chart())).toThrow(message);
  });

  test('duplicate names across the app are reported together', () => {
    const c = chart();
    new EgressZone(c, 'one', { name: 'same', namespaces: ['a'] });
    new EgressZone(c, 'two', { name: 'same', namespaces: ['b'] });
    new DestinationSet(c, 'x', { name: 'dup', cidrs: ['192.0.2.0/24'] });
    new DestinationSet(c, 'y', { name: 'dup', cidrs: ['192.0.2.0/24'] });
    expect(() => Testing.synth(c)).toThrow(/2 problems:[\s\S]*zone name "same" is used twice \(at test\/one and test\/two\)[\s\S]*destination set name "dup" is used twice/);
  });
});

describe('EgressModel', () => {
  test('is backend-neutral JSON with aggregated destinations and descriptions kept', () => {
    const c = chart();
    const zone = new EgressZone(c, 'z', { namespaces: ['z'] });
    zone.allow('r', {
      to: [Destination.cidr('192.0.2.0/25', 'left half'), Destination.cidr('192.0.2.128/25', 'right half')],
      ports: [Port.tcp(443), Port.tcpRange(400, 500), Port.allOf(Protocol.UDP)],
    });
    const doc = EgressModel.of(c);
    expect(JSON.parse(EgressModel.toJson(c))).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(doc.destinationSets).toEqual([expect.objectContaining({
      name: 'z-r',
      inline: true,
      cidrs: [{ cidr: '192.0.2.0/24', ipVersion: 4, descriptions: ['left half', 'right half'] }],
    })]);
    // tcp/443 is covered by tcp/400-500 and dropped; ports sorted canonically.
    expect(doc.zones[0].rules[0].ports.map(p => Port.fromModel(p).toString())).toEqual(['tcp/400-500', 'udp']);
    expect(doc.zones[0].exit).toEqual({ mode: 'nat-outgoing', natPools: [], gateway: undefined, failOpen: false });
  });

  test('the exit follows the pools: non-NATed pool means pod addresses', () => {
    const c = chart();
    const pool = new NatPool(c, 'p', { cidr: '10.250.0.0/24', natOutgoing: false });
    new EgressZone(c, 'z', { namespaces: ['z'], natPools: [pool] });
    const doc = EgressModel.of(c);
    expect(doc.zones[0].exit.mode).toBe('pod-address');
    expect(doc.natPools[0].namespaces).toEqual(['z']);
  });
});

describe('zone.allow(): rules that are part of the zone', () => {
  test('declares a rule without a construct; the model and errors name "<zone>/<id>"', () => {
    const c = chart();
    const zone = new EgressZone(c, 'z', { namespaces: ['a'] });
    const rule = zone.allow('https/public', { to: [Destination.cidr('192.0.2.0/24')], ports: [Port.tcp(443)] });
    expect(rule.ruleName).toBe('https-public');
    expect(zone.node.children).toHaveLength(0);
    const model = EgressModel.of(c);
    expect(model.zones[0].rules.map(r => [r.name, r.path])).toEqual([['https-public', 'test/z/https--public']]);
    expect(model.destinationSets.map(s => [s.name, s.path])).toEqual([['z-https-public', 'test/z/https--public/Destinations']]);
  });

  test('ids are unique among the zone\'s rules and children, and not empty', () => {
    const zone = new EgressZone(chart(), 'z', { namespaces: ['a'] });
    zone.allow('r', { to: [Destination.cidr('192.0.2.0/24')] });
    expect(() => zone.allow('r', { to: [Destination.cidr('198.51.100.0/24')] }))
      .toThrow(/id "r" is already used by another rule or construct of this zone \(at test\/z\/r\)/);
    expect(() => zone.allow('', { to: [Destination.cidr('198.51.100.0/24')] })).toThrow(/id "" is empty/);
  });

  test('an AllowExternal construct and a zone rule with the same name in one zone: one error naming both', () => {
    const c = chart();
    const zone = new EgressZone(c, 'z', { namespaces: ['a'] });
    zone.allow('r', { to: [Destination.cidr('192.0.2.0/24')] });
    new AllowExternal(c, 'shared', { zones: [zone], name: 'r', to: [Destination.cidr('198.51.100.0/24')] });
    expect(() => Testing.synth(c)).toThrow(/rule name "r" is used twice in zone "z" \(at test\/z\/r and test\/shared\)/);
  });

  test('a zone rule renders exactly as the same rule declared as an AllowExternal construct under the zone', () => {
    const render = (asConstruct: boolean) => {
      const c = chart();
      const zone = new EgressZone(c, 'z', { namespaces: ['a'] });
      const options = { to: [Destination.cidrs(['192.0.2.0/24', '2001:db8::/48'])], ports: [Port.tcp(443), Port.udp(443)], description: 'api' };
      if (asConstruct) new AllowExternal(zone, 'api', { ...options, zones: [zone] });
      else zone.allow('api', options);
      return Testing.synth(c);
    };
    expect(render(false)).toEqual(render(true));
  });
});
