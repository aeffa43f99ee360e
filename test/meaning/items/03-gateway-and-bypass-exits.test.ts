/**
 * Issue 14, item 3: exits are decided per (prefix, port), the same way everywhere.
 * The data path routes by destination address only (longest prefix), whatever the port. Decided: the
 * exit of (address, port) is the exit of the most specific rule allowing that address and port; where that
 * differs from what an address-only data path does (a more specific rule with another exit does not cover
 * the broader rule's ports), synth fails naming both rules. Where it agrees, can-reach, the egress map, the
 * firewall export and the data path all give the same exit.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Destination, EgressModel, EgressZone, FirewallFormat, Port } from '../../../src';
import { main } from '../../../src/cli/main';
import { EgressGateway } from '../../../src/constructs/egress-gateway';
import { cidrContains } from '../evaluators/packet';
import { captureWarnings, chartFor, dataPathOf, firewallFiles, objectsOf } from '../support';

function estate(swap: boolean, bypassPorts: Port[]) {
  const { chart } = chartFor('calico');
  const gw = new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: '198.18.0.0/29' });
  const zone = new EgressZone(chart, 'shop', { namespaces: ['shop'], gateway: gw });
  if (!swap) {
    zone.allow('via-gw', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
    zone.allow('bypass', { to: [Destination.cidr('203.0.113.128/25')], ports: bypassPorts, bypassGateway: true });
  } else {
    zone.allow('direct', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)], bypassGateway: true });
    zone.allow('via-gw', { to: [Destination.cidr('203.0.113.128/25')], ports: bypassPorts });
  }
  return chart;
}

test('a more specific bypass rule on another port: synth fails naming both rules', () => {
  const { error, warnings } = captureWarnings(() => objectsOf(estate(false, [Port.tcp(8443)])));
  expect(warnings).toEqual([]);
  expect(error?.message).toMatch(/"via-gw"/);
  expect(error?.message).toMatch(/"bypass"/);
  expect(error?.message).toMatch(/203\.0\.113\.128\/25/);
  expect(error?.message).not.toMatch(/TypeError|internal/);
});

test('the mirror case (a more specific gateway rule inside a bypass rule) fails the same way', () => {
  const { error, warnings } = captureWarnings(() => objectsOf(estate(true, [Port.tcp(8443)])));
  expect(warnings).toEqual([]);
  expect(error?.message).toMatch(/"direct"/);
  expect(error?.message).toMatch(/"via-gw"/);
});

describe('a more specific bypass rule that covers the broader rule\'s ports: one exit everywhere', () => {
  const chart = estate(false, [Port.tcp(443), Port.tcp(8443)]);
  const objects = objectsOf(chart);
  const doc = EgressModel.of(chart);

  test('the data path sends 203.0.113.200 directly', () => {
    const zone = dataPathOf(objects)!.zones.find(z => z.name === 'shop')!;
    expect(zone.noGateway.some(c => cidrContains(c, '203.0.113.200'))).toBe(true);
    expect(zone.noGateway.some(c => cidrContains(c, '203.0.113.10'))).toBe(false);
  });

  test('can-reach says 203.0.113.200:443 leaves directly and 203.0.113.10:443 through the gateway', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meaning-3-'));
    const file = path.join(dir, 'egress-model.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const out: string[] = [];
    expect(main(['can-reach', '--app', file, '--from', 'shop', '--to', '203.0.113.200:443/tcp'], l => out.push(l))).toBe(0);
    expect(out.join('\n')).toMatch(/source seen by 203\.0\.113\.200: NAT outgoing to node addresses/);
    out.length = 0;
    expect(main(['can-reach', '--app', file, '--from', 'shop', '--to', '203.0.113.10:443/tcp'], l => out.push(l))).toBe(0);
    expect(out.join('\n')).toMatch(/source seen by 203\.0\.113\.10: gateway gw/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the firewall export lets the node addresses reach 203.0.113.200 on tcp/443', () => {
    const inv = JSON.parse(firewallFiles(chart, [FirewallFormat.JSON]).files.find(f => f.path === 'inventory.json')!.content);
    const rules = inv.zones.find((z: any) => z.name === 'shop').rules.filter((r: any) =>
      r.destinations.some((d: any) => cidrContains(d.cidr, '203.0.113.200'))
      && r.ports.some((p: any) => p.protocol === 'tcp' && p.fromPort <= 443 && 443 <= p.toPort));
    const sources = rules.flatMap((r: any) => r.sources.map((s: any) => s.cidr));
    expect(sources).toContain('192.0.2.0/26');
  });
});
