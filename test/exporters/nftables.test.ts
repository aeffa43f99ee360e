import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packetEstate } from './packet-estate';
import { PACKET_CASES, RouterLab } from './router-topology';
import { describeWithTools, isolatedPrefix, run } from './tooling';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallFormat } from '../../src/exporters/firewall-format';

const ruleset = FirewallExport.render(packetEstate(), FirewallFormat.NFTABLES)[0].content;

describeWithTools('nftables export: nft -c', ['nft'], false, () => {
  test('the ruleset passes nft -c -f, twice in a row (reload is idempotent)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwx-nft-'));
    const file = path.join(dir, 'egress.nft');
    fs.writeFileSync(file, ruleset);
    const prefix = isolatedPrefix()!;
    const r = run(prefix[0], [...prefix.slice(1), 'sh', '-c', `nft -f ${file} && nft -f ${file} && nft -c -f ${file} && nft list table inet cdk8s_egress`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The kernel accepted the interval sets and counters.
    expect(r.stdout).toMatch(/set payments_card_v4_dst \{[^}]*flags interval[^}]*elements = \{ 203\.0\.113\.0\/25/s);
    expect(r.stdout).toMatch(/counter packets 0 bytes 0 accept/);
    fs.rmSync(dir, { recursive: true });
  });

  test('every kind of port match passes nft -c (ICMP type/code, ICMPv6, ranges, protocol numbers, all traffic)', () => {
    const doc = packetEstate();
    const ports = [
      { protocol: 'ICMP', icmpType: 3, icmpCode: 4 }, { protocol: 'ICMPv6', icmpType: 128 }, { protocol: 'UDP', fromPort: 5000, toPort: 5100 },
      { protocol: 'UDP', fromPort: 53, toPort: 53 }, { protocol: 'SCTP', fromPort: 3868, toPort: 3868 }, { protocol: '47' }, { protocol: 'UDPLite' },
    ];
    const varied = { ...doc, zones: doc.zones.map(z => ({ ...z, rules: z.rules.map((r, i) => ({ ...r, ports: i === 0 ? ports : [] })) })) };
    const text = FirewallExport.render(varied, FirewallFormat.NFTABLES)[0].content;
    expect(text).toMatch(/icmp type 3 icmp code 4 counter accept/);
    expect(text).toMatch(/icmpv6 type 128 counter accept/);
    expect(text).toMatch(/udp dport \{ 53, 5000-5100 \} counter accept/);
    expect(text).toMatch(/meta l4proto 47 counter accept/);
    const prefix = isolatedPrefix()!;
    const r = run(prefix[0], [...prefix.slice(1), 'nft', '-c', '-f', '-'], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('a broken ruleset is rejected (the check can fail)', () => {
    const prefix = isolatedPrefix()!;
    const r = run(prefix[0], [...prefix.slice(1), 'nft', '-c', '-f', '-'], ruleset.replace('flags interval', 'flags nonsense'));
    expect(r.status).not.toBe(0);
  });
});

describeWithTools('nftables export: real packets through a router namespace', ['nft', 'ip'], true, () => {
  let lab: RouterLab;
  beforeAll(() => {
    lab = new RouterLab({ 'egress.nft': ruleset }, 'nft -f egress.nft');
  });
  afterAll(() => lab?.close());

  test('allowed destination/port pairs pass, everything else from zone sources is dropped', () => {
    expect(lab.probe(PACKET_CASES)).toEqual(PACKET_CASES.map(c => `${c[0]}: ${c[4]}`));
    // The drops were counted by the default-deny rules.
    const listing = lab.inRouter('nft list chain inet cdk8s_egress forward');
    expect(listing).toMatch(/ip saddr @zone_sources_v4 counter packets [1-9][0-9]* .*drop/);
    expect(listing).toMatch(/ip6 saddr @zone_sources_v6 counter packets [1-9][0-9]* .*drop/);
  });
});
