/**
 * Issue 21, items 8 and 9: the DNS options. `Port.allTraffic()` means every protocol and port to the DNS pods
 * and servers on every backend and export; the namespace, pod selector and port list are checked where they
 * are declared, since every backend writes them into its policies as they are.
 */
import { Chart } from 'cdk8s';
import {
  CanReach, ClusterNetwork, Destination, EgressModel, EgressZone, FirewallExport, FirewallFormat, Port, Selector,
} from '../../src';
import { Workload } from '../meaning/evaluators/packet';
import { chartFor, evaluate, objectsOf } from '../meaning/support';

const DNS_POD: Workload = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const WEB: Workload = { namespace: 'web', labels: {} };
const DNS_SERVER = '198.51.100.53';

function zoneWithDns(chart: Chart, dns: object): EgressZone {
  const zone = new EgressZone(chart, 'web', { namespaces: ['web'], dns });
  zone.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  return zone;
}

describe('dns.ports: [Port.allTraffic()]', () => {
  test.each(['calico', 'calico-enterprise', 'cilium', 'kubernetes'])('%s allows every port to the DNS pods, and nothing more', backend => {
    const { chart } = chartFor(backend);
    zoneWithDns(chart, { ports: [Port.allTraffic()], cidrs: [`${DNS_SERVER}/32`] });
    const objects = objectsOf(chart);
    for (const pkt of [{ protocol: 17, port: 53 }, { protocol: 6, port: 8053 }, { protocol: 132, port: 9 }]) {
      expect(evaluate(backend, objects, WEB, { ip: '10.244.1.10', endpoint: DNS_POD, ...pkt }).allowed).toBe(true);
      expect(evaluate(backend, objects, WEB, { ip: DNS_SERVER, ...pkt }).allowed).toBe(true);
      // Other pods and other external addresses stay closed.
      expect(evaluate(backend, objects, WEB, { ip: '10.244.1.11', endpoint: { namespace: 'kube-system', labels: { app: 'other' } }, ...pkt }).allowed).toBe(false);
      expect(evaluate(backend, objects, WEB, { ip: '198.51.100.54', ...pkt }).allowed).toBe(false);
    }
  });

  test('the Calico rules name no protocol (Calico then matches any), one per DNS target', () => {
    const { chart } = chartFor('calico');
    zoneWithDns(chart, { ports: [Port.udp(53), Port.allTraffic()], cidrs: [`${DNS_SERVER}/32`] });
    const policy = objectsOf(chart).find(o => o.kind === 'GlobalNetworkPolicy');
    const dns = policy.spec.egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'dns');
    expect(dns).toEqual([
      expect.objectContaining({ action: 'Allow', destination: { namespaceSelector: 'projectcalico.org/name == "kube-system"', selector: 'k8s-app == "kube-dns"' } }),
      expect.objectContaining({ action: 'Allow', ipVersion: 4, destination: { nets: [`${DNS_SERVER}/32`] } }),
    ]);
    for (const r of dns) expect(r.protocol).toBeUndefined();
  });

  test('can-reach and every firewall export agree: the external DNS server is open on every port', () => {
    const { chart } = chartFor('calico');
    zoneWithDns(chart, { ports: [Port.allTraffic()], cidrs: [`${DNS_SERVER}/32`] });
    const doc = EgressModel.of(chart);
    expect(CanReach.evaluate(doc, { namespace: 'web', ip: DNS_SERVER, protocol: 6, port: 8053 }).allowed).toBe(true);
    const { files } = FirewallExport.renderAll(doc, FirewallFormat.all());
    const inventory = JSON.parse(files.find(f => f.path === 'inventory.json')!.content);
    const dnsRules = inventory.zones[0].rules.filter((r: any) => r.rule === 'dns');
    expect(dnsRules.map((r: any) => [r.destinations.map((d: any) => d.cidr), r.ports.map((p: any) => p.text)])).toEqual([[[`${DNS_SERVER}/32`], ['all']]]);
    const iptables = files.find(f => f.path === 'egress.rules.v4')!.content.split('\n').filter(l => l.includes(DNS_SERVER));
    expect(iptables).toHaveLength(1);
    expect(iptables[0]).not.toMatch(/ -p /);
  });

  test('ICMP in dns.ports keeps its type and family on Calico (it was widened to every ICMP type)', () => {
    const { chart } = chartFor('calico');
    zoneWithDns(chart, { ports: [Port.udp(53), Port.icmp({ type: 8 })], cidrs: [`${DNS_SERVER}/32`, '2001:db8::53/128'] });
    const objects = objectsOf(chart);
    const dns = objects.find(o => o.kind === 'GlobalNetworkPolicy').spec.egress.filter((r: any) => r.protocol === 'ICMP');
    expect(dns.map((r: any) => [r.ipVersion, r.icmp, r.destination.nets])).toEqual([[4, { type: 8 }, undefined], [4, { type: 8 }, [`${DNS_SERVER}/32`]]]);
    expect(evaluate('calico', objects, WEB, { ip: DNS_SERVER, protocol: 1, icmpType: 8 }).allowed).toBe(true);
    expect(evaluate('calico', objects, WEB, { ip: DNS_SERVER, protocol: 1, icmpType: 13 }).allowed).toBe(false);
  });
});

describe('DNS options are checked where they are declared', () => {
  test.each([
    [' a', '"a"'],
    ['Bad_NS', '"bad-ns"'],
    ['a'.repeat(64), undefined],
  ])('dns.namespace %j is an error at the zone and at ClusterNetwork', (namespace, hint) => {
    const { chart } = chartFor('cilium', false);
    const expected = new RegExp(`^dns\\.namespace "${namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a DNS-1123 label .*\\(at egress/web\\)${hint ? `; hint: ${hint}` : ''}`);
    expect(() => new EgressZone(chart, 'web', { namespaces: ['web'], dns: { namespace } })).toThrow(expected);
    expect(() => new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], dns: { namespace } })).toThrow(/^dns\.namespace .* \(at egress\/cluster\)/);
  });

  test('dns.ports: [] is an error (it allowed every port on NetworkPolicy and none on Calico)', () => {
    const { chart } = chartFor('kubernetes');
    expect(() => new EgressZone(chart, 'web', { namespaces: ['web'], dns: { ports: [] } }))
      .toThrow(/^dns\.ports "\[\]" is empty.*\(at egress\/web\); hint: say Port\.allTraffic\(\) for every port.*enabled: false/);
  });

  test('dns.ports and dns.podSelector of the wrong type are errors, not TypeErrors (JavaScript callers)', () => {
    const { chart } = chartFor('calico');
    expect(() => new EgressZone(chart, 'a', { namespaces: ['a'], dns: { ports: ['udp/53' as any] } }))
      .toThrow(/^dns\.ports\[0\] "udp\/53" is not a Port \(at egress\/a\); hint: Port\.parse\("udp\/53"\)/);
    expect(() => new EgressZone(chart, 'b', { namespaces: ['b'], dns: { podSelector: 'k8s-app == "dns"' as any } }))
      .toThrow(/^dns\.podSelector .* is not a Selector \(at egress\/b\); hint: Selector\.parse/);
  });

  test('dns.podSelector with global() is an error (Calico allows global() only in a namespaceSelector)', () => {
    const { chart } = chartFor('calico');
    expect(() => new EgressZone(chart, 'web', { namespaces: ['web'], dns: { podSelector: Selector.global() } }))
      .toThrow(/^dns\.podSelector "global\(\)" uses global\(\).*\(at egress\/web\); hint: /);
  });
});
