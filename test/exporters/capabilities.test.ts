import { doc, pool, rule, set, zone } from './model-fixture';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallExportInput } from '../../src/exporters/firewall-export-input';
import { DomainHandling, ExporterCapabilities, FirewallExportFile, IFirewallExporter } from '../../src/exporters/firewall-exporter';
import { FirewallFormat } from '../../src/exporters/firewall-format';
import { EgressExitMode, EgressModelDocument } from '../../src/model/egress-model-document';

function estate(ports = [{ protocol: 'TCP', fromPort: 443, toPort: 443 }]): EgressModelDocument {
  return doc({
    destinationSets: [set('names', [['198.51.100.7', 'api v4']], ['api.example.com', '*.cdn.example.net'])],
    natPools: [pool('p', '10.250.0.0/24', false)],
    zones: [zone('z', [rule('api', ['names'], ports)], { mode: EgressExitMode.POD_ADDRESS, natPools: ['p'] })],
  });
}

describe('domain names', () => {
  test('ERROR (the default): every format that cannot match names is listed in one error, before anything renders', () => {
    expect(() => FirewallExport.renderAll(estate(), [FirewallFormat.NFTABLES, FirewallFormat.GCP, FirewallFormat.PANOS]))
      .toThrow(/firewall export: 3 problems:\n {2}- nftables: zone "z" rule "api" domains "\*\.cdn\.example\.net, api\.example\.com": the format cannot match domain names.*\n {2}- gcp: .*\n {2}- panos: zone "z" rule "api" domains "\*\.cdn\.example\.net": the format cannot match wildcard domain names/);
  });

  test('WARN: domains are left out with a warning, the addresses of the same rule stay', () => {
    const result = FirewallExport.renderAll(estate(), [FirewallFormat.NFTABLES, FirewallFormat.PANOS], { domainHandling: DomainHandling.WARN });
    expect(result.warnings).toEqual([
      'nftables: zone "z" rule "api" domains "*.cdn.example.net, api.example.com": the format cannot match domain names (at test/zone/api); left out of nftables',
      'panos: zone "z" rule "api" domains "*.cdn.example.net": the format cannot match wildcard domain names (at test/zone/api); left out of panos',
    ]);
    const nft = result.files.find(f => f.path === 'egress.nft')!.content;
    expect(nft).toMatch(/198\.51\.100\.7\/32/);
    expect(nft).not.toMatch(/example/);
    const panos = result.files.find(f => f.path === 'panos.set')!.content;
    expect(panos).toMatch(/^set address cdk8s-egress-fqdn-api\.example\.com fqdn api\.example\.com$/m);
    expect(panos).not.toMatch(/cdn\.example\.net/);
  });

  test('platforms that match names render them, wildcards where they can', () => {
    const files = FirewallExport.renderAll(estate(), [FirewallFormat.FORTIGATE, FirewallFormat.JUNIPER_SRX, FirewallFormat.CISCO_ASA],
      { domainHandling: DomainHandling.WARN });
    const text = (p: string) => files.files.find(f => f.path === p)!.content;
    expect(text('fortigate.conf')).toMatch(/set type wildcard-fqdn\n {8}set wildcard-fqdn "\*\.cdn\.example\.net"/);
    expect(text('juniper-srx.set')).toMatch(/address cdk8s-egress-dns-api\.example\.com dns-name api\.example\.com$/m);
    expect(text('cisco-asa.cfg')).toMatch(/^ fqdn v4 api\.example\.com$/m);
    expect(files.warnings.filter(w => w.startsWith('fortigate'))).toEqual([]);
  });

  test('AWS Network Firewall reads names from TLS/HTTP only: domain rules on UDP are an error', () => {
    expect(() => FirewallExport.render(estate([{ protocol: 'UDP', fromPort: 53, toPort: 53 }]), FirewallFormat.AWS_CLOUDFORMATION))
      .toThrow(/aws-cloudformation: zone "z" rule "api" matches domain names on udp\/53; AWS Network Firewall reads names from TLS SNI and HTTP Host, i\.e\. TCP only/);
  });
});

describe('never widen', () => {
  test('an ICMP type on a platform that matches ICMP only as a whole is an error, not "all ICMP"', () => {
    const icmp = doc({
      destinationSets: [set('s', [['198.51.100.7']])],
      natPools: [pool('p', '10.250.0.0/24', false)],
      zones: [zone('z', [rule('ping', ['s'], [{ protocol: 'ICMP', icmpType: 8 }])], { mode: EgressExitMode.POD_ADDRESS, natPools: ['p'] })],
    });
    expect(() => FirewallExport.renderAll(icmp, [FirewallFormat.GCP, FirewallFormat.AZURE, FirewallFormat.PANOS, FirewallFormat.NFTABLES]))
      .toThrow(/3 problems:\n {2}- gcp: zone "z" rule "ping" port "icmp\/8" matches an ICMP type, which the format cannot \(matching all ICMP would widen the rule\)/);
    expect(FirewallExport.render(icmp, FirewallFormat.NFTABLES)[0].content).toMatch(/icmp type 8 counter accept/);
  });

  test('SCTP ports on AWS (security groups would allow every SCTP port) are an error', () => {
    const sctp = estate([{ protocol: 'SCTP', fromPort: 3868, toPort: 3868 }]);
    expect(() => FirewallExport.render(sctp, FirewallFormat.AWS_TERRAFORM, { domainHandling: DomainHandling.WARN })).toThrow(/port "sctp\/3868" uses sctp, which the format cannot match/);
  });
});

describe('custom exporters and the registry', () => {
  class Lines implements IFirewallExporter {
    public readonly format = 'lines';
    public readonly capabilities: ExporterCapabilities = { domains: false, ipv6: false, icmpTypes: false, icmpCodes: false, protocols: ['tcp'] };
    public unsupported(_input: FirewallExportInput): string[] {
      return [];
    }
    public render(input: FirewallExportInput): FirewallExportFile[] {
      return [{ path: 'lines.txt', content: input.zones.flatMap(z => z.rules.map(r => `${r.id} ${r.destinations.map(d => d.cidr)}`)).join('\n') }];
    }
  }

  test('a user\'s exporter gets only what its capabilities allow', () => {
    const dual = doc({
      nodeCidrs: ['192.0.2.0/26', '2001:db8:1::/64'],
      destinationSets: [set('s', [['198.51.100.7'], ['2001:db8:100::7']])],
      zones: [zone('z', [rule('out', ['s'])])],
    });
    const result = FirewallExport.renderAll(dual, [FirewallFormat.custom(new Lines())]);
    expect(result.files).toEqual([{ path: 'lines.txt', content: 'z-out-v4 198.51.100.7/32' }]);
    expect(result.warnings.join('\n')).toMatch(/lines: zone "z" rule "out": IPv6 destinations 2001:db8:100::7\/128 left out: the format has no IPv6/);
  });

  test('formats by id; unknown ids and duplicate formats are errors', () => {
    expect(FirewallFormat.all().map(f => f.name)).toEqual([
      'nftables', 'iptables', 'aws-cloudformation', 'aws-terraform', 'gcp', 'azure', 'panos', 'cisco-asa', 'juniper-srx', 'fortigate', 'csv', 'json', 'aerleon',
    ]);
    expect(FirewallFormat.of('panos')).toBe(FirewallFormat.PANOS);
    expect(() => FirewallFormat.of('pf')).toThrow(/firewall format "pf" is not built in; hint: one of nftables, /);
    expect(() => FirewallExport.renderAll(estate(), [FirewallFormat.CSV, FirewallFormat.CSV])).toThrow(/firewall format "csv" is listed twice/);
  });

  test('names stay within platform limits, and long names stay distinct', () => {
    const long = 'a'.repeat(60);
    const model = doc({
      destinationSets: [set('s', [['198.51.100.7']])],
      natPools: [pool('p', '10.250.0.0/24', false)],
      zones: [zone('z', [rule(`${long}-one`, ['s']), rule(`${long}-two`, ['s'])], { mode: EgressExitMode.POD_ADDRESS, natPools: ['p'] })],
    });
    const fortigate = FirewallExport.render(model, FirewallFormat.FORTIGATE)[0].content;
    const policyNames = [...fortigate.matchAll(/set name "([^"]+)"/g)].map(m => m[1]);
    expect(policyNames.every(n => n.length <= 35)).toBe(true);
    expect(new Set(policyNames).size).toBe(policyNames.length);
    const gcp = JSON.parse(FirewallExport.render(model, FirewallFormat.GCP)[0].content) as { name: string }[];
    expect(gcp.every(r => r.name.length <= 63)).toBe(true);
    expect(new Set(gcp.map(r => r.name)).size).toBe(gcp.length);
  });

  test('CSV fields are quoted per RFC 4180 and guarded against formula injection', () => {
    const model = estate();
    const quoted = { ...model, zones: model.zones.map(z => ({ ...z, rules: z.rules.map(r => ({ ...r, description: '=HYPERLINK("x"), really' })) })) };
    const csv = FirewallExport.render(quoted, FirewallFormat.CSV)[0].content;
    expect(csv.split('\n')[1]).toMatch(/,"'=HYPERLINK\(""x""\), really",test\/zone\/api$/);
  });
});
