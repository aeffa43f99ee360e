import { Chart, Testing } from 'cdk8s';
import { dataPathOf, one } from './egress-gateway-fixture';
import { ClusterNetwork, Destination, EgressZone, FirewallExport, FirewallFormat, NatPool, Port, ZoneSources } from '../../src';
import { EgressGateway } from '../../src/constructs/egress-gateway';
import { EgressGatewayProps } from '../../src/constructs/gateway/egress-gateway-props';
import { EgressSynthesizer } from '../../src/synth/egress-synthesizer';

/** A dual-stack cluster (pods, services and nodes of both families). */
function dualStackChart(): Chart {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', {
    podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'],
    serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'],
    nodeCidrs: ['192.0.2.0/24', 'fd00:192::/64'],
  });
  return chart;
}

const V4 = '198.18.0.0/30';
const V6 = '2001:db8:e::/126';

/** A dual-stack zone through a gateway: a v4 and a v6 destination in one rule, a v6 destination bypassing the gateway. */
function dualEstate(props: Partial<EgressGatewayProps> = { egressCidr: V4, ipv6EgressCidr: V6 }) {
  const chart = dualStackChart();
  const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', ...props });
  const zone = new EgressZone(chart, 'partners', { namespaces: ['partners'], podLabels: { app: 'sync' } });
  zone.egressVia(gw);
  zone.allow('api', { to: [Destination.cidr('203.0.113.0/24'), Destination.cidr('2001:db8:100::/48')], ports: [Port.tcp(443), Port.icmpv6({ type: 128 })] });
  zone.allow('peered6', { to: [Destination.cidr('2001:db8:200::/48')], ports: [Port.tcp(22)], bypassGateway: true });
  return { chart, gw, zone };
}

const model = (chart: Chart) => {
  Testing.synth(chart);
  return EgressSynthesizer.of(chart).model();
};

describe('EgressGateway with an IPv6 egress range', () => {
  test('dual-stack: an IPPool per family, both pool annotations, IPv6 forwarding in the pods\' sysctls, the admission policy covers both', () => {
    const objects = Testing.synth(dualEstate().chart);
    expect(one(objects, 'IPPool', 'gw-egress').spec).toEqual({ cidr: V4, blockSize: 32, natOutgoing: false, nodeSelector: '!all()', allowedUses: ['Workload'] });
    expect(one(objects, 'IPPool', 'gw-egress-v6').spec).toEqual({ cidr: V6, blockSize: 128, natOutgoing: false, nodeSelector: '!all()', allowedUses: ['Workload'] });
    const dep = one(objects, 'Deployment');
    const annotations = dep.spec.template.metadata.annotations;
    expect(JSON.parse(annotations['cni.projectcalico.org/ipv4pools'])).toEqual(['gw-egress']);
    expect(JSON.parse(annotations['cni.projectcalico.org/ipv6pools'])).toEqual(['gw-egress-v6']);
    // Both addresses for the agent (it takes the IPv4 one for the tunnels; podIP may be the IPv6 one).
    expect(dep.spec.template.spec.containers[0].env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }]);
    const init = dep.spec.template.spec.initContainers.find((c: any) => c.name === 'sysctls');
    expect(init.args).toEqual(expect.arrayContaining(['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.conf.default.forwarding=1']));
    const vap = one(objects, 'ValidatingAdmissionPolicy');
    expect(vap.spec.validations[0].expression).toContain('cni.projectcalico.org/ipv6pools');
    expect(vap.spec.validations[0].expression).toContain('"gw-egress-v6"');
  });

  test('IPv6 only: one IPv6 pool, only the ipv6pools annotation, egressIps are the IPv6 addresses', () => {
    const chart = dualStackChart();
    const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', ipv6EgressCidr: V6 });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw }).allow('v6', { to: [Destination.cidr('2001:db8:100::/48')], ports: [Port.tcp(443)] });
    const objects = Testing.synth(chart);
    expect(objects.filter(o => o.kind === 'IPPool').map(o => o.metadata.name)).toEqual(['gw-egress-v6']);
    expect(Object.keys(one(objects, 'Deployment').spec.template.metadata.annotations)).toEqual(['cni.projectcalico.org/ipv6pools']);
    expect(gw.egressIps).toEqual(['2001:db8:e::', '2001:db8:e::1', '2001:db8:e::2', '2001:db8:e::3']);
  });

  test('scattered IPv6 egress IPs: a pool per aggregated prefix, /128 blocks', () => {
    const objects = Testing.synth(dualEstate({ egressCidr: V4, ipv6EgressIps: ['2001:db8:e::1', '2001:db8:e::', '2001:db8:f::9'] }).chart);
    const pools = objects.filter(o => o.kind === 'IPPool' && o.metadata.name.startsWith('gw-egress-v6'));
    expect(pools.map(p => [p.metadata.name, p.spec.cidr, p.spec.blockSize])).toEqual([['gw-egress-v6-0', '2001:db8:e::/127', 128], ['gw-egress-v6-1', '2001:db8:f::9/128', 128]]);
  });

  test('the data-path document: version 2, both families\' egress IPs, IPv6 allow entries (ICMPv6 as the entry\'s ICMP), IPv6 noGateway', () => {
    const dp = dataPathOf(Testing.synth(dualEstate().chart));
    expect(dp.version).toBe(2);
    expect(dp.gateways[0].egressIps).toEqual(['198.18.0.0', '198.18.0.1', '198.18.0.2', '198.18.0.3', '2001:db8:e::', '2001:db8:e::1', '2001:db8:e::2', '2001:db8:e::3']);
    expect(dp.cluster.podCidrs).toEqual(expect.arrayContaining(['fd00:10:244::/56', 'fd00:10:96::/112']));
    expect(dp.cluster.nodeCidrs).toEqual(['192.0.2.0/24', 'fd00:192::/64']);
    const z = dp.zones.find(x => x.name === 'partners')!;
    expect(z.allow.map(a => `${a.cidr} ${a.protocol} ${a.ports.join(',')}`)).toEqual([
      '2001:db8:100::/48 icmp ', '2001:db8:100::/48 tcp 443', '203.0.113.0/24 tcp 443',
    ]);
    expect(z.noGateway).toEqual(['2001:db8:200::/48']);
  });

  test('an IPv4-only gateway keeps writing version 1 (the running agents read it), IPv6 ranges left out as before', () => {
    const chart = dualStackChart();
    const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: V4 });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw }).allow('api', { to: [Destination.cidr('203.0.113.0/24')] });
    const dp = dataPathOf(Testing.synth(chart));
    expect(dp.version).toBe(1);
    expect(dp.cluster.nodeCidrs).toEqual(['192.0.2.0/24']);
  });

  test('per-destination gateways per family: a rule via an IPv6-only gateway, the zone\'s own gateway IPv4-only', () => {
    const chart = dualStackChart();
    const v4gw = new EgressGateway(chart, 'gw4', { namespace: 'egress', egressCidr: V4 });
    const v6gw = new EgressGateway(chart, 'gw6', { namespace: 'egress', ipv6EgressCidr: V6 });
    const zone = new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: v6gw });
    zone.allow('v6', { to: [Destination.cidr('2001:db8:100::/48')], ports: [Port.tcp(443)] });
    const other = new EgressZone(chart, 'billing', { namespaces: ['billing'], gateway: v4gw });
    other.allow('v4', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
    const dp = dataPathOf(Testing.synth(chart));
    expect(dp.zones.find(z => z.name === 'partners')!.gateway).toBe('gw6');
    expect(dp.zones.find(z => z.name === 'billing')!.gateway).toBe('gw4');
    expect(dp.gateways.find(g => g.name === 'gw6')!.egressIps.every(ip => ip.includes(':'))).toBe(true);
  });

  test('failOpen is carried per zone and applies to both families', () => {
    const chart = dualStackChart();
    const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: V4, ipv6EgressCidr: V6 });
    new EgressZone(chart, 'open', { namespaces: ['open'], gateway: gw, failOpen: true }).allow('v6', { to: [Destination.cidr('2001:db8:100::/48')] });
    expect(dataPathOf(Testing.synth(chart)).zones[0]).toMatchObject({ failOpen: true, allow: [{ cidr: '2001:db8:100::/48', protocol: 'any' }] });
  });

  test('the gateway\'s Calico policy: IPv6 destinations as ipVersion 6 rules (ICMPv6 kept exact), IPv6 probe answers to the IPv6 node range', () => {
    const objects = Testing.synth(dualEstate().chart);
    const policy = one(objects, 'NetworkPolicy', 'egress-gateway-gw');
    const egress = policy.spec.egress.map((r: any) => [r.metadata.annotations['egress.cdk8s.io/rule'], r.ipVersion, r.protocol, r.destination?.nets, r.icmp?.type]);
    // The IPv4-only gateway's rules come first, unchanged.
    expect(egress.slice(0, 3).map((r: any[]) => r[0])).toEqual(['probe-answers-to-nodes', 'reply-tunnels-to-nodes', 'api']);
    expect(egress).toEqual(expect.arrayContaining([
      ['api', 4, 'TCP', ['203.0.113.0/24'], undefined],
      ['api', 6, 'TCP', ['2001:db8:100::/48'], undefined],
      ['api', 6, 'ICMPv6', ['2001:db8:100::/48'], 128],
      ['ipv6-probe-answers-to-nodes', undefined, 'UDP', ['fd00:192::/64'], undefined],
    ]));
    // The bypassing IPv6 destination does not go through the gateway.
    expect(JSON.stringify(policy.spec.egress)).not.toContain('2001:db8:200::');
  });

  test('sources per family: each family\'s traffic is seen from that family\'s egress IPs (exports, can-reach, map)', () => {
    const doc = model(dualEstate().chart);
    const zone = doc.zones.find(z => z.name === 'partners')!;
    const rule = zone.rules.find(r => r.name === 'api')!;
    expect(ZoneSources.forDestination(doc, zone, '2001:db8:100::1', rule).cidrs).toEqual(['2001:db8:e::', '2001:db8:e::1', '2001:db8:e::2', '2001:db8:e::3']);
    expect(ZoneSources.forDestination(doc, zone, '203.0.113.1', rule).cidrs).toEqual(['198.18.0.0', '198.18.0.1', '198.18.0.2', '198.18.0.3']);
    expect(ZoneSources.of(doc, zone, rule).description).toBe('gateway gw (198.18.0.0, 198.18.0.1, 198.18.0.2, 198.18.0.3; IPv6: 2001:db8:e::, 2001:db8:e::1, 2001:db8:e::2, 2001:db8:e::3)');
    const result = FirewallExport.renderAll(doc, [FirewallFormat.JSON, FirewallFormat.NFTABLES]);
    // No "no IPv6 source" warning for the gateway zone any more.
    expect(result.warnings.filter(w => /IPv6/.test(w))).toEqual([]);
    const inventory = JSON.parse(result.files.find(f => f.path.endsWith('inventory.json'))!.content);
    const api = inventory.zones[0].rules.filter((r: any) => r.rule === 'api');
    const byFamily = (v: number) => api.find((r: any) => r.ipVersion === v);
    expect(byFamily(6).sources.map((s: any) => s.cidr)).toEqual(['2001:db8:e::/126']);
    expect(byFamily(6).destinations.map((d: any) => d.cidr)).toEqual(['2001:db8:100::/48']);
    expect(byFamily(4).sources.map((s: any) => s.cidr)).toEqual(['198.18.0.0/30']);
    const nft = result.files.find(f => f.path.endsWith('egress.nft'))!.content;
    expect(nft).toMatch(/set partners_api_v6_src \{\s+type ipv6_addr\s+flags interval\s+elements = \{\s+2001:db8:e::\/126,\s+\}/);
    expect(nft).toContain('ip6 saddr @partners_api_v6_src ip6 daddr @partners_api_v6_dst tcp dport 443 counter accept');
  });

  test('an IPv6 egress range inside an IPv6 cluster range is refused', () => {
    const chart = dualStackChart();
    const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: V4, ipv6EgressCidr: 'fd00:10:244:ff::/126' });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw }).allow('v6', { to: [Destination.cidr('2001:db8:100::/48')] });
    expect(() => Testing.synth(chart)).toThrow(/egressIps "fd00:10:244:ff::\/126" is inside the cluster range fd00:10:244::\/56 \(at test\/gw\); hint: take the egress range out of ClusterNetwork podCidrs/);
  });

  test('an IPv4 destination through an IPv6-only gateway is refused with a hint', () => {
    const chart = dualStackChart();
    const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', ipv6EgressCidr: V6 });
    new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw }).allow('v4', { to: [Destination.cidr('203.0.113.0/24')] });
    expect(() => Testing.synth(chart)).toThrow(/destination "203\.0\.113\.0\/24" of rule "v4" of zone "partners" \(at test\/partners\/v4\) is IPv4, but gateway "gw" has no IPv4 egress address to leave with; hint: give the gateway an IPv4 range \(egressCidr\)/);
  });
});

describe('IPv6 pools and the node agent', () => {
  test('node-level SNAT of an IPv6 pool is refused with a hint (the node agent SNATs IPv4 pools only)', () => {
    const chart = dualStackChart();
    new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: V4, ipv6EgressCidr: V6 });
    const pool = new NatPool(chart, 'legacy6', { cidr: 'fd00:10:244:50::/64', snatAddress: '2001:db8:5::1', namespaces: ['legacy'] });
    new EgressZone(chart, 'legacy', { namespaces: ['legacy'], natPools: [pool] }).allow('out', { to: [Destination.cidr('2001:db8:100::/48')] });
    expect(() => Testing.synth(chart)).toThrow(/NAT pool "legacy6" asks for node-level SNAT of an IPv6 pool, but the node agent SNATs IPv4 pools only \(at test\/legacy6\); hint: natOutgoing for the IPv6 pool, or an EgressGateway with ipv6EgressCidr/);
  });
});
