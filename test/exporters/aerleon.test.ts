/**
 * The Aerleon export without Aerleon: what it cannot write is a synth-time error, never a wider term; a rule's
 * protocols become separate terms (Aerleon crosses a term's protocols with its ports); names stay within the limits
 * of the strictest generator (pf's 31-character tables, iptables' 24-character terms). test/aerleon runs Aerleon.
 */
import { parse } from 'yaml';
import { doc, pool, rule, set, zone } from './model-fixture';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallFormat } from '../../src/exporters/firewall-format';
import { EgressExitMode } from '../../src/model/egress-model-document';
import { PortModel } from '../../src/model/port';

function estate(ports: PortModel[], name = 'out') {
  return doc({
    destinationSets: [set('s', [['198.51.100.7']])],
    natPools: [pool('p', '10.250.0.0/24', false)],
    zones: [zone('z', [rule(name, ['s'], ports)], { mode: EgressExitMode.POD_ADDRESS, natPools: ['p'] })],
  });
}

function terms(ports: PortModel[], name?: string): any[] {
  const files = FirewallExport.render(estate(ports, name), FirewallFormat.AERLEON);
  return parse(files.find(f => f.path.endsWith('cdk8s-egress-terms.yaml'))!.content).terms;
}

describe('Aerleon export', () => {
  test('an ICMP type or protocol Aerleon has no name for is an error, not a wider term', () => {
    expect(() => FirewallExport.render(estate([{ protocol: 'ICMP', icmpType: 42 }]), FirewallFormat.AERLEON))
      .toThrow(/aerleon: zone "z" rule "out" port "icmp\/42" matches ICMP type 42, which Aerleon has no name for \(matching every type would widen the rule\)/);
    expect(() => FirewallExport.render(estate([{ protocol: '99' }]), FirewallFormat.AERLEON))
      .toThrow(/aerleon: zone "z" rule "out" port "99" uses protocol 99, which Aerleon has no name for/);
    expect(() => FirewallExport.render(estate([{ protocol: 'ICMP', icmpType: 8, icmpCode: 3 }]), FirewallFormat.AERLEON))
      .toThrow(/matches ICMP code 3 of echo-request, which Aerleon does not take for that type/);
  });

  test('each protocol is a term of its own; ICMP types by name; the zone deny last', () => {
    const t = terms([{ protocol: 'TCP', fromPort: 443, toPort: 443 }, { protocol: 'UDP', fromPort: 5000, toPort: 5100 }, { protocol: 'ICMP', icmpType: 3, icmpCode: 4 }, { protocol: '47' }]);
    expect(t.map(x => [x.name, x.protocol, x['destination-port'], x['icmp-type'], x['icmp-code'], x.action])).toEqual([
      ['z-out-v4-tcp', 'tcp', ['CDK8S_EGRESS_TCP_443'], undefined, undefined, 'accept'],
      ['z-out-v4-udp', 'udp', ['CDK8S_EGRESS_UDP_5000_5100'], undefined, undefined, 'accept'],
      ['z-out-v4-gre', ['gre'], undefined, undefined, undefined, 'accept'],
      ['z-out-v4-icmp-3-4', 'icmp', undefined, 'unreachable', '4', 'accept'],
      ['z-default-deny', undefined, undefined, undefined, undefined, 'deny'],
    ]);
  });

  test('long names stay within 24 (terms) and 31 (tokens) characters and distinct', () => {
    const long = 'a'.repeat(40);
    const files = FirewallExport.renderAll(doc({
      destinationSets: [set('s', [['198.51.100.7']])],
      natPools: [pool('p', '10.250.0.0/24', false)],
      zones: [zone('z', [rule(`${long}-one`, ['s']), rule(`${long}-two`, ['s'])], { mode: EgressExitMode.POD_ADDRESS, natPools: ['p'] })],
    }), [FirewallFormat.AERLEON]).files;
    const t = parse(files.find(f => f.path.endsWith('cdk8s-egress-terms.yaml'))!.content).terms;
    const names = t.map((x: any) => x.name);
    expect(names.every((n: string) => n.length <= 24)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    const networks = Object.keys(parse(files.find(f => f.path.endsWith('networks.yaml'))!.content).networks);
    expect(networks.every(n => n.length <= 31 && n.startsWith('CDK8S_EGRESS_'))).toBe(true);
    expect(new Set(networks).size).toBe(networks.length);
  });
});
