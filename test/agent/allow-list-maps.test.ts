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

  test('0.0.0.0/0 (which the parser rejects while cluster ranges exist) is a plain jump, not a map with a zero mask', () => {
    const m = allowListMaps(zone([e('0.0.0.0/0', 'tcp', ['443']), e('198.19.0.0/16', 'any')]), 'z1_allowed');
    const [first, second] = m.lookups((s) => `@${s}`);
    expect(first).toMatch(/^jump z1_c_[0-9a-f]{12}$/);
    expect(m.classes.get(first.slice(5))).toEqual(['tcp dport 443 counter name z1_allowed accept']);
    expect(second).toBe('ip daddr & 255.255.0.0 vmap @z1_l16');
    expect([...m.maps.keys()]).toEqual(['z1_l16']);
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
