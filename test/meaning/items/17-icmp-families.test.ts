/**
 * Issue 21, item 11: ICMP belongs to one IP family. Decided (docs/backends.md, "ICMP and IP families"):
 * `Port.icmp()` applies to a rule's IPv4 destinations and `Port.icmpv6()` to its IPv6 ones; a rule with both
 * families keeps each ICMP port for its own family. An ICMP port of a family that none of the rule's addresses
 * has is a synth error (it matched nothing and vanished from the policy); a rule with a domain name is not
 * judged (a name may resolve to either family). can-reach refuses an ICMP question about the other family's
 * address instead of answering it through `::/0`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Backend, CanReach, Destination, DestinationSet, EgressModel, EgressZone, Port } from '../../../src';
import { main } from '../../../src/cli/main';
import { captureWarnings, chartFor, evaluate, objectsOf } from '../support';

const ICMP = 1;
const ICMPV6 = 58;

function zoneWith(to: Destination[], ports: Port[], backend = 'calico') {
  const { chart } = chartFor(backend, { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'] });
  const zone = new EgressZone(chart, 'web', { namespaces: ['web'] });
  zone.allow('ping', { to, ports });
  return chart;
}

describe('can-reach', () => {
  const chart = zoneWith([Destination.cidr('0.0.0.0/0'), Destination.cidr('::/0')], [Port.icmp({ type: 8 }), Port.icmpv6({ type: 128 })]);
  const doc = EgressModel.of(chart);

  function cli(args: string[]): { code: number; out: string; err: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meaning-17-'));
    const file = path.join(dir, 'egress-model.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const lines: string[] = [];
    const errors: string[] = [];
    const code = main(['can-reach', '--app', file, ...args], l => lines.push(l), l => errors.push(l));
    fs.rmSync(dir, { recursive: true, force: true });
    return { code, out: lines.join('\n'), err: errors.join('\n') };
  }

  test('an ICMPv4 type towards an IPv6 address is an error with a hint to ask about ICMPv6', () => {
    expect(() => CanReach.parseDestination('2600:1f00::5/icmp/8')).toThrow(/--to "2600:1f00::5\/icmp\/8" asks about ICMP, which is IPv4 only, for the IPv6 address 2600:1f00::5; hint: ask about icmpv6/);
    expect(() => CanReach.evaluate(doc, { namespace: 'web', ip: '2600:1f00::5', protocol: ICMP, port: 8 })).toThrow(/protocol "1" asks about ICMP.*hint: ask about icmpv6/);
    const r = cli(['--from', 'web', '--to', '2600:1f00::5/icmp/8']);
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/ALLOWED/);
    expect(r.err).toMatch(/icmpv6/);
  });

  test('an ICMPv6 type towards an IPv4 address is an error too', () => {
    expect(() => CanReach.parseDestination('203.0.113.5/icmpv6/128')).toThrow(/ICMPv6, which is IPv6 only, for the IPv4 address 203\.0\.113\.5; hint: ask about icmp /);
    expect(() => CanReach.evaluate(doc, { namespace: 'web', ip: '203.0.113.5', protocol: ICMPV6, port: 128 })).toThrow(/ICMPv6/);
  });

  test('each family\'s own ICMP is answered, as the Calico rules answer it', () => {
    const objects = objectsOf(chart);
    for (const [ip, protocol, type] of [['203.0.113.5', ICMP, 8], ['2600:1f00::5', ICMPV6, 128], ['203.0.113.5', ICMP, 0]] as const) {
      const answer = CanReach.evaluate(doc, { namespace: 'web', ip, protocol, port: type });
      const calico = evaluate('calico', objects, { namespace: 'web', labels: {} }, { ip, protocol, icmpType: type });
      expect([ip, answer.allowed]).toEqual([ip, calico.allowed]);
    }
    expect(cli(['--from', 'web', '--to', '2600:1f00::5/icmpv6/128']).code).toBe(0);
  });
});

describe('synth', () => {
  test('Port.icmp() towards IPv6-only addresses is an error naming the rule, the port and the fix', () => {
    const { error } = captureWarnings(() => objectsOf(zoneWith([Destination.cidr('2001:db8:1::/48')], [Port.icmp({ type: 8 }), Port.tcp(443)])));
    expect(error?.message).toMatch(/^ports "icmp\/8" of rule "ping" is ICMP, which is IPv4 only, but every destination of the rule is IPv6 \(2001:db8:1::\/48\): the port would match nothing \(at egress\/web\/ping\); hint: use Port\.icmpv6\(\)/);
  });

  test('Port.icmpv6() towards IPv4-only addresses of a shared set is an error too', () => {
    const { chart } = chartFor('calico');
    const set = new DestinationSet(chart, 'partners', { cidrs: ['198.51.100.0/24'] });
    new EgressZone(chart, 'web', { namespaces: ['web'] }).allow('ping', { to: [Destination.set(set)], ports: [Port.icmpv6()] });
    const { error } = captureWarnings(() => objectsOf(chart));
    expect(error?.message).toMatch(/ports "icmpv6" of rule "ping" is ICMPv6, which is IPv6 only, but every destination of the rule is IPv4 \(198\.51\.100\.0\/24\).*hint: use Port\.icmp\(\)/);
  });

  test('a rule with both families keeps Port.icmp() for its IPv4 destinations', () => {
    const chart = zoneWith([Destination.cidr('203.0.113.0/24'), Destination.cidr('2001:db8:1::/48')], [Port.icmp({ type: 8 })]);
    const { result: objects, error } = captureWarnings(() => objectsOf(chart));
    expect(error).toBeUndefined();
    const rules = objects!.find(o => o.kind === 'GlobalNetworkPolicy').spec.egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'ping');
    expect(rules).toEqual([expect.objectContaining({ protocol: 'ICMP', ipVersion: 4, icmp: { type: 8 }, destination: { nets: ['203.0.113.0/24'] } })]);
    const doc = EgressModel.of(chart);
    expect(CanReach.evaluate(doc, { namespace: 'web', ip: '203.0.113.9', protocol: ICMP, port: 8 }).allowed).toBe(true);
    expect(CanReach.evaluate(doc, { namespace: 'web', ip: '2001:db8:1::9', protocol: ICMPV6, port: 128 }).allowed).toBe(false);
  });

  test('a rule with a domain name is not judged: the name may resolve to either family', () => {
    const chart = zoneWith([Destination.domain('api.example.com'), Destination.cidr('2001:db8:1::/48')], [Port.icmp({ type: 8 })], 'calico-enterprise');
    Backend.setDefault(chart, Backend.CALICO_ENTERPRISE);
    const { error } = captureWarnings(() => objectsOf(chart));
    expect(error).toBeUndefined();
  });
});
