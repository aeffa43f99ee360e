/**
 * Issue 14, item 7: can-reach agrees with the policies.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CanReach, Destination, EgressModel, EgressZone, Port, ZoneSources } from '../../../src';
import { main } from '../../../src/cli/main';
import { chartFor, TCP, UDP } from '../support';

function estate(backend = 'calico') {
  // issue 21, item 12: can-reach knows the DNS Service address only when it is declared
  const { chart } = chartFor(backend, { nodeCidrs: ['192.0.2.0/26', '2001:db8:ffff::/64'], dnsServiceAddress: '10.96.0.10' });
  const web = new EgressZone(chart, 'web', { namespaces: ['web'] });
  web.allow('api', { to: [Destination.cidr('203.0.113.0/24'), Destination.cidr('2001:db8:1::/48')], ports: [Port.tcp(443)] });
  if (backend === 'cilium') web.allow('saas', { to: [Destination.domain('api.example.com')], ports: [Port.tcp(443)] });
  return EgressModel.of(chart);
}

function cli(doc: any, args: string[]): { code: number; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meaning-7-'));
  const file = path.join(dir, 'egress-model.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const lines: string[] = [];
  const code = main(['can-reach', '--app', file, ...args], l => lines.push(l));
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, out: lines.join('\n') };
}

test('DNS to the cluster DNS Service IP is allowed, as the zone\'s DNS rule allows it on a cluster', () => {
  const a = CanReach.evaluate(estate(), { namespace: 'web', ip: '10.96.0.10', protocol: UDP, port: 53 });
  expect(a.allowed).toBe(true);
  expect(a.rule).toBe('dns');
  // another port of the same address is not DNS
  expect(CanReach.evaluate(estate(), { namespace: 'web', ip: '10.96.0.10', protocol: TCP, port: 443 }).allowed).toBe(false);
});

test('the source of IPv6 traffic is an IPv6 range', () => {
  const doc = estate();
  const zone = doc.zones[0];
  expect(ZoneSources.forDestination(doc, zone, '2001:db8:1::5', zone.rules[0]).cidrs).toEqual(['2001:db8:ffff::/64']);
  expect(ZoneSources.forDestination(doc, zone, '203.0.113.5', zone.rules[0]).cidrs).toEqual(['192.0.2.0/26']);
  const r = cli(doc, ['--from', 'web', '--to', '[2001:db8:1::5]:443/tcp']);
  expect(r.code).toBe(0);
  expect(r.out).not.toContain('192.0.2.0/26');
});

test('an IPv6 address without brackets is rejected, not misparsed', () => {
  expect(() => CanReach.parseDestination('2001:db8:1::5:443/tcp')).toThrow(/bracket|\[/);
  // an address alone with ICMPv6 needs no port, so no brackets
  expect(CanReach.parseDestination('2001:db8:1::5/icmpv6/128')).toMatchObject({ ip: '2001:db8:1::5', protocol: 58, port: 128 });
});

test('an invalid namespace name is rejected', () => {
  expect(() => CanReach.evaluate(estate(), { namespace: 'Web_1', ip: '203.0.113.5', protocol: TCP, port: 443 })).toThrow(/namespace "Web_1"/);
  expect(cli(estate(), ['--from', 'Web_1', '--to', '203.0.113.5:443/tcp']).code).toBe(2);
});

test('domain names can be queried on backends that match them', () => {
  const doc = estate('cilium');
  const r = cli(doc, ['--from', 'web', '--to', 'api.example.com:443/tcp']);
  expect(r.out).toMatch(/^ALLOWED/);
  expect(r.code).toBe(0);
  expect(cli(doc, ['--from', 'web', '--to', 'other.example.com:443/tcp']).code).toBe(1);
});
