import { allowListMaps } from '../../src/agent/gateway/allow-list-maps';
import { portClassChain, portClassOf } from '../../src/agent/gateway/port-class';
import { elementKey, renderSetDelta, setDelta } from '../../src/agent/shared/nft-set-delta';
import { AllowEntryConfig, parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const e = (cidr: string, protocol: AllowEntryConfig['protocol'], ports: string[] = []): AllowEntryConfig => ({ cidr, protocol, ports });
const zone = (allow: AllowEntryConfig[]) => ({ ...parseDataPathConfig(validDocument()).zones[0], allow });

describe('portClassOf', () => {
  test.each([
    ['tcp 443 and 8000-8080', [e('a', 'tcp', ['8000-8080']), e('a', 'tcp', ['443'])], 'tcp:443,8000-8080', ['tcp dport { 443, 8000-8080 } counter name c accept']],
    ['overlapping and adjacent ranges merged', [e('a', 'udp', ['50-60', '53', '61-70'])], 'udp:50-70', ['udp dport 50-70 counter name c accept']],
    ['no ports: every port of the protocol', [e('a', 'tcp'), e('a', 'udp', ['53'])], 'tcp:* udp:53', ['meta l4proto tcp counter name c accept', 'udp dport 53 counter name c accept']],
    ['0-65535 is every port', [e('a', 'tcp', ['0-65535'])], 'tcp:*', ['meta l4proto tcp counter name c accept']],
    ['icmp beside ports', [e('a', 'icmp'), e('a', 'tcp', ['22'])], 'icmp tcp:22', ['meta l4proto icmp counter name c accept', 'tcp dport 22 counter name c accept']],
    ['any covers the rest', [e('a', 'tcp', ['22']), e('a', 'any')], 'any', ['counter name c accept']],
  ])('%s', (_what, entries, key, rules) => {
    const c = portClassOf(entries);
    expect(c.key).toBe(key);
    expect(c.rules('c')).toEqual(rules);
  });

  test('the chain name depends on the ports only: the same class keeps its chain across changes and restarts', () => {
    const a = portClassChain(1, portClassOf([e('x', 'tcp', ['443', '80'])]));
    expect(a).toMatch(/^z1_c_[0-9a-f]{12}$/);
    expect(portClassChain(1, portClassOf([e('y', 'tcp', ['80']), e('y', 'tcp', ['443'])]))).toBe(a);
    expect(portClassChain(1, portClassOf([e('y', 'tcp', ['81'])]))).not.toBe(a);
  });
});

describe('allowListMaps', () => {
  test('one map per prefix length, longest first; each entry jumps to its prefix\'s class; a prefix with several entries has one class', () => {
    const m = allowListMaps(zone([
      e('198.19.0.0/16', 'tcp', ['443']), e('198.19.0.10/32', 'udp', ['53']), e('198.19.0.10/32', 'tcp', ['22']),
      e('203.0.113.0/24', 'tcp', ['443']), e('64.0.0.0/3', 'icmp'),
    ]), 'z1_allowed');
    expect([...m.maps.keys()]).toEqual(['z1_l32', 'z1_l24', 'z1_l16', 'z1_l3']);
    expect(m.lookups((s) => `@${s}`)).toEqual([
      'ip daddr vmap @z1_l32', 'ip daddr & 255.255.255.0 vmap @z1_l24', 'ip daddr & 255.255.0.0 vmap @z1_l16', 'ip daddr & 224.0.0.0 vmap @z1_l3',
    ]);
    const target = (map: string, i = 0) => / : jump (\S+)$/.exec(m.maps.get(map)!.elements[i])![1];
    expect(m.maps.get('z1_l32')!.elements).toEqual([`198.19.0.10 : jump ${target('z1_l32')}`]);
    expect(m.classes.get(target('z1_l32'))).toEqual(['tcp dport 22 counter name z1_allowed accept', 'udp dport 53 counter name z1_allowed accept']);
    // Same ports, same class: 198.19.0.0/16 and 203.0.113.0/24 share one chain.
    expect(target('z1_l24')).toBe(target('z1_l16'));
    expect(m.classes.size).toBe(3);
    expect(m.maps.get('z1_l3')!.elements).toEqual([`64.0.0.0 : jump ${target('z1_l3')}`]);
  });

  test('0.0.0.0/0 (which the parser rejects while cluster ranges exist) is a jump for IPv4 only, not a map with a zero mask', () => {
    const m = allowListMaps(zone([e('0.0.0.0/0', 'tcp', ['443']), e('198.19.0.0/16', 'any')]), 'z1_allowed');
    const [first, second] = m.lookups((s) => `@${s}`);
    // The family named: a bare jump would open the zone's port class to its IPv6 packets too.
    expect(first).toMatch(/^meta nfproto ipv4 jump z1_c_[0-9a-f]{12}$/);
    expect(m.classes.get(first.split(' ').pop()!)).toEqual(['tcp dport 443 counter name z1_allowed accept']);
    expect(second).toBe('ip daddr & 255.255.0.0 vmap @z1_l16');
    expect([...m.maps.keys()]).toEqual(['z1_l16']);
  });

  test('IPv6 entries: their own maps (ipv6_addr keys, ip6 masks), ICMPv6 in their classes, the IPv4 maps without them', () => {
    const z = zone([e('2001:db8:100::/48', 'tcp', ['443']), e('2001:db8:101::/48', 'icmp'), e('2001:db8::1/128', 'any'),
      e('2001:db8:8000::/33', 'udp', ['53']), e('::/0', 'tcp', ['22']), e('198.19.0.0/16', 'tcp', ['443'])]);
    const m6 = allowListMaps(z, 'z1_allowed', 'ip6');
    expect([...m6.maps.keys()]).toEqual(['z1_l6_128', 'z1_l6_48', 'z1_l6_33']);
    expect(m6.maps.get('z1_l6_48')!.type).toBe('ipv6_addr : verdict');
    expect(m6.lookups((s) => `@${s}`)).toEqual([
      expect.stringMatching(/^meta nfproto ipv6 jump z1_c_[0-9a-f]{12}$/),
      'ip6 daddr vmap @z1_l6_128', 'ip6 daddr & ffff:ffff:ffff:: vmap @z1_l6_48', 'ip6 daddr & ffff:ffff:8000:: vmap @z1_l6_33',
    ]);
    const target = (key: string) => / : jump (\S+)$/.exec(m6.maps.get('z1_l6_48')!.elements.find((x) => x.startsWith(key))!)![1];
    expect(m6.classes.get(target('2001:db8:101:: '))).toEqual(['meta l4proto ipv6-icmp counter name z1_allowed accept']);
    // tcp:443 is the same class (same chain, same rules) in both families.
    const m4 = allowListMaps(z, 'z1_allowed');
    expect([...m4.maps.keys()]).toEqual(['z1_l16']);
    expect(m4.maps.get('z1_l16')!.elements).toEqual([`198.19.0.0 : jump ${target('2001:db8:100:: ')}`]);
    expect(m4.lookups((s) => s).some((l) => l.includes('nfproto'))).toBe(false);
  });

  test('an empty allow-list has no map and no lookup (the zone chain only drops)', () => {
    const m = allowListMaps(zone([]), 'z1_allowed');
    expect([m.maps.size, m.classes.size, m.lookups((s) => s)]).toEqual([0, 0, []]);
  });
});

describe('setDelta', () => {
  test('a map entry whose value changed is deleted by key and added again; unchanged entries are left alone', () => {
    const d = setDelta(['1.0.0.0 : jump a', '2.0.0.0 : jump a', '3.0.0.0 : jump a'], ['1.0.0.0 : jump a', '2.0.0.0 : jump b', '4.0.0.0 : jump a']);
    expect(d).toEqual({ remove: ['2.0.0.0', '3.0.0.0'], add: ['2.0.0.0 : jump b', '4.0.0.0 : jump a'] });
    expect(renderSetDelta('inet t', 'm_g1', d)).toEqual([
      'delete element inet t m_g1 { 2.0.0.0, 3.0.0.0 }',
      'add element inet t m_g1 { 2.0.0.0 : jump b, 4.0.0.0 : jump a }',
    ]);
    expect(renderSetDelta('inet t', 'm_g1', setDelta(['"a"'], ['"a"']))).toEqual([]);
    expect(elementKey('"egz1"')).toBe('"egz1"');
  });
});
