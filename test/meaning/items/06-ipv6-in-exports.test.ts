/**
 * Issue 14, item 6: IPv6 destinations are exported where the perimeter sees an IPv6 source, and otherwise
 * named in one synth warning (zone, rule, prefixes).
 * Decided: a zone's source is decided per family; a family its pools do not cover leaves the default way
 * (NAT outgoing to the node ranges of that family), as for zones without pools.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ClusterNetwork, Destination, EgressZone, FirewallExport, FirewallFormat, NatPool, Port } from '../../../src';
import { captureWarnings } from '../support';

function synth(nodeCidrs: string[], withV4Pool: boolean) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'meaning-6-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'egress');
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16', 'fd00:10::/56'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs });
  const pool = withV4Pool ? new NatPool(chart, 'web-pool', { cidr: '10.244.8.0/24', natOutgoing: false }) : undefined;
  const zone = new EgressZone(chart, 'web', { namespaces: ['web'], natPools: pool ? [pool] : [] });
  zone.allow('api', { to: [Destination.cidr('203.0.113.0/24'), Destination.cidr('2001:db8:1::/48')], ports: [Port.tcp(443)] });
  new FirewallExport(chart, 'fw', { formats: [FirewallFormat.NFTABLES, FirewallFormat.IPTABLES] });
  const { warnings, error } = captureWarnings(() => app.synth());
  if (error) throw error;
  const read = (f: string) => fs.readFileSync(path.join(outdir, 'firewall', f), 'utf8');
  const result = { warnings, nft: read('egress.nft'), v6: read('egress.rules.v6') };
  fs.rmSync(outdir, { recursive: true, force: true });
  return result;
}

test('NAT outgoing with an IPv6 node range: the IPv6 rule is exported', () => {
  const r = synth(['192.0.2.0/26', '2001:db8:ffff::/64'], false);
  expect(r.v6).toMatch(/-s 2001:db8:ffff::\/64 -d 2001:db8:1::\/48 -p tcp .*443/);
  expect(r.nft).toMatch(/ip6 saddr @\S+ ip6 daddr @\S+ tcp dport 443/);
  expect(r.warnings).toEqual([]);
});

test('an IPv4 pool without NAT on a dual-stack cluster: IPv6 leaves by NAT outgoing, and is exported', () => {
  const r = synth(['192.0.2.0/26', '2001:db8:ffff::/64'], true);
  expect(r.v6).toMatch(/-s 2001:db8:ffff::\/64 -d 2001:db8:1::\/48/);
  expect(r.nft).toContain('10.244.8.0/24');
  expect(r.warnings).toEqual([]);
});

test('no IPv6 source the perimeter sees: one warning naming the zone, the rule and the prefixes', () => {
  const r = synth(['192.0.2.0/26'], false);
  expect(r.v6).not.toMatch(/-d 2001:db8:1::\/48/);
  const w = r.warnings.filter(l => l.includes('2001:db8:1::/48'));
  expect(w).toHaveLength(1);
  expect(w[0]).toMatch(/zone "web"/);
  expect(w[0]).toMatch(/rule "api"/);
  expect(r.warnings).toEqual(w);
});
