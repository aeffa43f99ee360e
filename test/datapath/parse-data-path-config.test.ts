import { validDocument } from './data-path-fixture';
import { DATA_PATH_DEFAULTS, DataPathConfigError, parseDataPathConfig } from '../../src/datapath';

describe('parseDataPathConfig', () => {
  test('accepts a valid document, from text or value, and fills the node defaults', () => {
    const fromText = parseDataPathConfig(JSON.stringify(validDocument()));
    expect(fromText.zones.map((z) => z.name)).toEqual(['payments', 'open', 'direct']);
    expect(fromText.zones[0].allow[0].ports).toEqual(['443', '8000-8080']);
    expect(fromText.node).toEqual(DATA_PATH_DEFAULTS.node);
    expect(parseDataPathConfig(validDocument())).toEqual(fromText);
  });

  test('normalises numeric ports and keeps an explicit node section', () => {
    const doc = validDocument();
    doc.zones[0].allow[0].ports = [443, '8000-8000'];
    doc.node = { markMask: 0xff000000 };
    const c = parseDataPathConfig(doc);
    expect(c.zones[0].allow[0].ports).toEqual(['443', '8000']);
    expect(c.node.markMask).toBe(0xff000000);
    expect(c.node.buckets).toBe(DATA_PATH_DEFAULTS.node.buckets);
  });

  const cases: Array<[string, (d: any) => any, RegExp]> = [
    ['malformed JSON', () => '{"version": 1,', /^invalid data-path configuration:\n {2}\$: malformed JSON/],
    ['wrong version', (d) => ({ ...d, version: 0 }), /\$\.version: must be one of 1, 2, 3, 4, 5, got 0$/m],
    ['a version newer than the agent', (d) => ({ ...d, version: 6 }), /\$\.version: is 6, newer than this agent reads \(versions 1, 2, 3, 4, 5\): the ConfigMap was written by a newer cdk8s-egress; run the agent images of that version/],
    ['unknown gateway', (d) => { d.zones[0].gateway = 'nope'; return d; }, /\$\.zones\[0\]\.gateway: unknown gateway "nope" \(known: gw\)/],
    ['vni missing with a gateway', (d) => { delete d.zones[1].vni; return d; }, /\$\.zones\[1\]\.vni: must be an integer in 1\.\.16777215, got nothing/],
    ['vni without a gateway', (d) => { d.zones[2].vni = 9; return d; }, /\$\.zones\[2\]\.vni: is only meaningful with a gateway/],
    ['overlapping cluster ranges', (d) => { d.cluster.serviceCidrs = ['10.201.128.0/17']; return d; },
      /\$\.cluster\.serviceCidrs\[0\]: "10\.201\.128\.0\/17" overlaps "10\.201\.0\.0\/16" at \$\.cluster\.podCidrs\[0\]/],
    ['overlapping NAT pools', (d) => { d.natPools.push({ name: 'b', cidr: '10.201.50.128/25', noNatCidrs: [] }); return d; },
      /\$\.natPools\[1\]\.cidr: "10\.201\.50\.128\/25" overlaps "10\.201\.50\.0\/24" .*NAT pools must not overlap/],
    ['allow-list entry inside the cluster', (d) => { d.zones[0].allow[0].cidr = '10.96.0.10/32'; return d; },
      /\$\.zones\[0\]\.allow\[0\]\.cidr: "10\.96\.0\.10\/32" overlaps cluster range "10\.96\.0\.0\/16"/],
    ['host bits set', (d) => { d.zones[0].allow[0].cidr = '198.19.0.10/24'; return d; }, /has host bits set; did you mean "198\.19\.0\.0\/24"\?/],
    ['IPv6', (d) => { d.zones[0].allow[0].cidr = '2001:db8::/32'; return d; }, /IPv4 only/],
    ['ports on icmp', (d) => { d.zones[0].allow[1].ports = ['1']; return d; }, /\$\.zones\[0\]\.allow\[1\]\.ports: must be empty for protocol icmp/],
    ['bad port range', (d) => { d.zones[0].allow[0].ports = ['90-80']; return d; }, /\$\.zones\[0\]\.allow\[0\]\.ports\[0\]: must be "port" or "from-to"/],
    ['duplicate zone id', (d) => { d.zones[1].id = 1; return d; }, /\$\.zones: duplicate zone id 1/],
    ['duplicate egress IP', (d) => { d.gateways[0].egressIps.push('198.19.100.1'); return d; }, /duplicate egress IP "198\.19\.100\.1"/],
    ['egress IP inside the cluster', (d) => { d.gateways[0].egressIps = ['10.201.0.5']; return d; }, /\$\.gateways\[0\]\.egressIps\[0\]: "10\.201\.0\.5" is inside cluster range/],
    ['unknown field', (d) => { d.zones[0].colour = 'red'; return d; }, /\$\.zones\[0\]\.colour: unknown field/],
    ['zone id out of range', (d) => { d.zones[0].id = 64; return d; }, /\$\.zones\[0\]\.id: must be an integer in 1\.\.63, got 64/],
    ['mark mask too narrow', (d) => ({ ...d, node: { markMask: 0xf0 } }), /\$\.node\.markMask: must hold at least 8 bits/],
  ];
  test.each(cases)('rejects %s', (_what, mutate, message) => {
    expect(() => parseDataPathConfig(mutate(validDocument()))).toThrow(DataPathConfigError);
    expect(() => parseDataPathConfig(mutate(validDocument()))).toThrow(message);
  });

  test('reports every problem at once', () => {
    const d = validDocument();
    d.zones[0].gateway = 'nope';
    d.natPools[0].cidr = 'x';
    try {
      parseDataPathConfig(d);
      throw new Error('not rejected');
    } catch (e) {
      expect((e as DataPathConfigError).problems.map((p) => p.path)).toEqual(['$.zones[0].gateway', '$.natPools[0].cidr']);
    }
  });
});
