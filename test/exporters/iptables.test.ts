import { packetEstate } from './packet-estate';
import { PACKET_CASES, RouterLab } from './router-topology';
import { describeWithTools, isolatedPrefix, run } from './tooling';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallFormat } from '../../src/exporters/firewall-format';
import { EgressModelDocument } from '../../src/model/egress-model-document';

function files(doc: EgressModelDocument): { [path: string]: string } {
  return Object.fromEntries(FirewallExport.render(doc, FirewallFormat.IPTABLES).map(f => [f.path, f.content]));
}

/** The estate with many ports, so multiport has to split (15 slots per match). */
function manyPorts(): EgressModelDocument {
  const doc = packetEstate();
  const ports = Array.from({ length: 12 }, (_, i) => ({ protocol: 'TCP', fromPort: 1000 + i * 10, toPort: 1000 + i * 10 + (i % 2) }));
  return { ...doc, zones: doc.zones.map(z => z.name === 'batch' ? { ...z, rules: [{ ...z.rules[0], ports: [...ports, { protocol: 'ICMP', icmpType: 8, icmpCode: 0 }, { protocol: 'ICMPv6', icmpType: 128 }] }] } : z) };
}

describeWithTools('iptables export: iptables-restore --test', ['iptables-restore', 'ip6tables-restore'], false, () => {
  const prefix = isolatedPrefix()!;
  const restore = (tool: string, content: string) => run(prefix[0], [...prefix.slice(1), tool, '--test'], content);

  test.each([['the packet estate', packetEstate()], ['many ports and ICMP', manyPorts()]])('%s: both files pass', (_name, doc) => {
    const out = files(doc);
    expect(Object.keys(out)).toEqual(['egress.rules.v4', 'egress.rules.v6']);
    for (const [file, tool] of [['egress.rules.v4', 'iptables-restore'], ['egress.rules.v6', 'ip6tables-restore']]) {
      const r = restore(tool, out[file]);
      expect(`${file}: ${r.stderr}`).toBe(`${file}: `);
      expect(r.status).toBe(0);
    }
  });

  test('multiport lists stay within 15 slots and cover every port once', () => {
    const v4 = files(manyPorts())['egress.rules.v4'];
    const lists = [...v4.matchAll(/-s 192\.0\.2\.0\/26 -d 198\.51\.100\.0\/24 -p tcp -m multiport --dports (\S+)/g)].map(m => m[1].split(','));
    expect(lists.length).toBeGreaterThan(1);
    for (const l of lists) expect(l.reduce((n, p) => n + (p.includes(':') ? 2 : 1), 0)).toBeLessThanOrEqual(15);
    expect(lists.flat()).toHaveLength(12);
    expect(v4).toMatch(/-p icmp --icmp-type 8\/0/);
    expect(files(manyPorts())['egress.rules.v6']).toMatch(/-p ipv6-icmp --icmpv6-type 128 /);
  });

  test('a broken file is rejected (the check can fail)', () => {
    expect(restore('iptables-restore', files(packetEstate())['egress.rules.v4'].replace('--dports', '--dportz')).status).not.toBe(0);
  });
});

describeWithTools('iptables export: real packets through a router namespace', ['iptables-restore', 'ip6tables-restore', 'ip'], true, () => {
  const out = files(packetEstate());
  const load = (file: string) => /Load with: (.*)$/m.exec(out[file])![1];
  let lab: RouterLab;
  beforeAll(() => {
    lab = new RouterLab(out, `${load('egress.rules.v4')}\n${load('egress.rules.v6')}`);
  });
  afterAll(() => lab?.close());

  test('loaded as the headers say: the same packets pass and drop as with the nftables export', () => {
    expect(lab.probe(PACKET_CASES)).toEqual(PACKET_CASES.map(c => `${c[0]}: ${c[4]}`));
    expect(lab.inRouter('iptables -L CDK8S-EGRESS -v -n -x')).toMatch(/^\s*[1-9][0-9]* +[0-9]+ DROP /m);
  });

  test('the chain decides nothing for the host: a host rule below the jump still drops what the export allows', () => {
    const allowed = PACKET_CASES.filter(c => c[4] === 'pass' && !c[1].includes(':') && c[1] !== '10.9.9.10');
    lab.inRouter(`iptables -A FORWARD -d ${allowed[0][2]} -p tcp --dport ${allowed[0][3]} -j DROP`);
    try {
      expect(lab.probe([allowed[0]])).toEqual([`${allowed[0][0]}: drop`]);
    } finally {
      lab.inRouter(`iptables -D FORWARD -d ${allowed[0][2]} -p tcp --dport ${allowed[0][3]} -j DROP`);
    }
  });
});
