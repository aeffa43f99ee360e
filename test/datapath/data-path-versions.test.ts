import { Testing } from 'cdk8s';
import { v2Document, validDocument } from './data-path-fixture';
import { ClusterNetwork, Destination, EgressZone, Port } from '../../src';
import { EgressGateway } from '../../src/constructs/egress-gateway';
import { DATA_PATH_CONFIG_VERSION, parseDataPathConfig } from '../../src/datapath';

/**
 * The ConfigMap text the library writes for an estate (IPv6 egress range or not; a domain rule through the gateway or
 * not; IPv6 pods or not: domain rules for IPv6 pods make it version 5, domain-ipv6-config.ts).
 */
function written(ipv6: boolean, domainViaGateway = false, podsV6 = true): string {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16', ...(podsV6 ? ['fd00:10:244::/56'] : [])], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/24'] });
  const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: '198.18.0.0/30', ...(ipv6 ? { ipv6EgressCidr: '2001:db8:e::/126' } : {}) });
  const zone = new EgressZone(chart, 'partners', { namespaces: ['partners'], gateway: gw });
  zone.allow('api', { to: [Destination.cidr('203.0.113.0/24'), ...(ipv6 ? [Destination.cidr('2001:db8:100::/48')] : [])], ports: [Port.tcp(443)] });
  if (domainViaGateway) zone.allow('stripe', { to: [Destination.domain('api.stripe.com')], ports: [Port.tcp(443)] });
  const cm = Testing.synth(chart).find(o => o.kind === 'ConfigMap' && o.metadata.name === 'egress-data-path');
  return cm.data['data-path.json'];
}

describe('data-path document versions', () => {
  test('the library writes version 2 only for an IPv6 egress range; new agents read what it writes either way', () => {
    expect(DATA_PATH_CONFIG_VERSION).toBe(5);
    const v1 = parseDataPathConfig(written(false));
    expect(v1.version).toBe(1);
    const v2 = parseDataPathConfig(written(true));
    expect(v2.version).toBe(2);
    expect(v2.gateways[0].egressIps).toContain('2001:db8:e::1');
    expect(v2.zones[0].allow.map(a => a.cidr)).toEqual(['2001:db8:100::/48', '203.0.113.0/24']);
  });

  test('new agents still read the current (version 1) format, unchanged', () => {
    const c = parseDataPathConfig(validDocument());
    expect(c.version).toBe(1);
    expect(c.gateways[0].egressIps).toEqual(['198.19.100.1', '198.19.100.2']);
  });

  test('version 2 carries IPv6 ranges, egress IPs and allow/noGateway entries (canonical text)', () => {
    const d = v2Document();
    d.zones[0].allow[2].cidr = '2001:DB8:100:0::/48';
    const c = parseDataPathConfig(d);
    expect(c.cluster.podCidrs).toEqual(['10.201.0.0/16', 'fd00:10:201::/56']);
    expect(c.zones[0].allow.map(a => `${a.cidr} ${a.protocol}`)).toEqual(expect.arrayContaining(['2001:db8:100::/48 tcp', '2001:db8:101::/48 icmp']));
    expect(c.zones[0].noGateway).toEqual(['203.0.113.0/24', '2001:db8:200::/48']);
  });

  test.each<[string, (d: any) => any, RegExp]>([
    ['IPv6 in version 1', (d) => ({ ...d, version: 1 }), /\$\.cluster\.podCidrs\[1\]: "fd00:10:201::\/56" is not an IPv4 CIDR \(version 1 of the data path is IPv4 only\)/],
    ['an IPv6 egress IP in version 1', (d) => ({ ...d, version: 1 }), /\$\.gateways\[0\]\.egressIps\[2\]: "2001:db8:e::1" is not an IPv4 address/],
    ['an IPv6 allow entry for a gateway without IPv6 egress IPs', (d) => { d.gateways[0].egressIps = ['198.19.100.1']; return d; },
      /\$\.zones\[0\]\.allow\[2\]\.cidr: "2001:db8:100::\/48" is IPv6, but gateway "gw" has no IPv6 egress IP to leave with/],
    ['an IPv6 NAT pool (node SNAT stays IPv4)', (d) => { d.natPools[0].cidr = 'fd00:10:201:50::/64'; return d; }, /\$\.natPools\[0\]\.cidr: "fd00:10:201:50::\/64" is not an IPv4 CIDR/],
    ['an IPv6 allow entry inside an IPv6 cluster range', (d) => { d.zones[0].allow[2].cidr = 'fd00:10:201:1::/64'; return d; },
      /\$\.zones\[0\]\.allow\[2\]\.cidr: "fd00:10:201:1::\/64" overlaps cluster range "fd00:10:201::\/56"/],
    ['a version newer than the agent', (d) => ({ ...d, version: 6 }), /\$\.version: is 6, newer than this agent reads \(versions 1, 2, 3, 4, 5\)/],
    ['the address observer in version 3', (d) => ({ ...d, version: 3, observe: { zones: [], maxAddresses: 10, timeoutSeconds: 3600 } }), /\$\.observe: unknown field/],
    ['domain rules through a gateway in version 2', (d) => { d.zones[0].domainRules = [{ name: 'stripe', protocol: 'tcp', ports: ['443'] }]; return d; },
      /\$\.zones\[0\]\.domainRules: unknown field/],
    ['domain rules of a zone without a gateway', (d) => {
      const { gateway: _g, vni: _v, ...zone } = d.zones[0];
      return { ...d, version: 3, zones: [{ ...zone, allow: [], domainRules: [{ name: 'stripe', protocol: 'tcp', ports: ['443'] }] }, ...d.zones.slice(1)] };
    }, /\$\.zones\[0\]\.domainRules: is only meaningful with a gateway/],
    ['a domain rule with ports on every protocol', (d) => ({ ...d, version: 3, zones: [{ ...d.zones[0], domainRules: [{ name: 'x', protocol: 'any', ports: ['443'] }] }, ...d.zones.slice(1)] }),
      /\$\.zones\[0\]\.domainRules\[0\]\.ports: must be empty for protocol any/],
    ['a domain rule with a bad port', (d) => ({ ...d, version: 3, zones: [{ ...d.zones[0], domainRules: [{ name: 'x', protocol: 'tcp', ports: ['0-99999'] }] }, ...d.zones.slice(1)] }),
      /\$\.zones\[0\]\.domainRules\[0\]\.ports\[0\]/],
  ])('refuses %s', (_, mutate, message) => {
    expect(() => parseDataPathConfig(mutate(v2Document()))).toThrow(message);
  });

  test('a domain rule through the gateway makes the document version 3 (the only change); agents that read up to 2 refuse it at $.version', () => {
    // IPv4 pods only: with IPv6 pods, the domain rule makes it version 5 (dns-enforcement-ipv6.test.ts).
    const text = written(false, true, false);
    const v3 = parseDataPathConfig(text);
    expect(v3.version).toBe(3);
    expect(v3.zones[0].domainRules).toEqual([{ name: 'stripe', protocol: 'tcp', ports: ['443'] }]);
    // The source node's gate has the rule too (the node agent decides before steering).
    expect(v3.domains?.zones.map(z => [z.zone, z.rules.map(r => r.name)])).toEqual([['partners', ['stripe']]]);
    // Without the domain rule the same estate is the version-1 document, all else equal.
    const { version: _, zones, domains: _2, ...rest } = v3;
    const { version: _1, zones: zones1, ...rest1 } = parseDataPathConfig(written(false, false, false));
    expect(rest).toEqual(rest1);
    expect(zones.map(({ domainRules: _d, ...z }) => z)).toEqual(zones1);
    // The agents before this change (versions 1 and 2) keep their last good rules and say what to do.
    expect(() => parseDataPathConfig(text, [1, 2])).toThrow(/^invalid data-path configuration:\n {2}\$\.version: is 3, newer than this agent reads \(versions 1, 2\): the ConfigMap was written by a newer cdk8s-egress/);
  });

  test('an agent that reads only version 1 (as the released agents do) refuses version 2 at $.version, naming what to do', () => {
    const text = written(true);
    expect(() => parseDataPathConfig(text, [1])).toThrow(/^invalid data-path configuration:\n {2}\$\.version: is 2, newer than this agent reads \(versions 1\): the ConfigMap was written by a newer cdk8s-egress; run the agent images of that version \(the agent keeps its last good rules meanwhile\)$/);
    // The IPv4-only document of the same library stays readable by it.
    expect(parseDataPathConfig(written(false), [1]).version).toBe(1);
  });
});
