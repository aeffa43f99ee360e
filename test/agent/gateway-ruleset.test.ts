import { renderGatewayRuleset } from '../../src/agent/gateway/gateway-ruleset';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const probe = { port: 9440, replyTo: ['198.18.0.0/16', '10.201.0.0/16'] };

function zonesWith(allow: any[]): any[] {
  const doc = validDocument();
  doc.zones[0].allow = allow;
  return parseDataPathConfig(doc).zones.filter((z) => z.gateway === 'gw');
}

describe('renderGatewayRuleset', () => {
  const base = [{ cidr: '198.19.0.10/32', protocol: 'tcp', ports: ['443'] }, { cidr: '198.19.1.0/24', protocol: 'any', ports: [] }];

  test('the allow-lists are sets apart from the rules: the rules refer to them only through ref()', () => {
    const a = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    expect(a.sets.get('z1_ports')).toEqual({ type: 'ipv4_addr . inet_proto . inet_service', interval: true, elements: ['198.19.0.10/32 . tcp . 443'] });
    expect(a.sets.get('z1_any')!.elements).toEqual(['198.19.1.0/24']);
    expect(a.sets.get('tunnels')!.interval).toBe(false);
    const body = a.body((s) => `@${s}_g3`);
    expect(body).toContain('ip daddr . meta l4proto . th dport @z1_ports_g3 counter name z1_allowed accept');
    expect(body).not.toMatch(/@(z1_ports|z1_any|z1_icmp|tunnels|probe_reply)\b(?!_g3)/);
    expect(body).not.toContain('elements');
    expect(a.counters).toEqual(expect.arrayContaining(['z1_allowed', 'z1_dropped', 'probes']));
    // An allow-list change changes the sets only.
    const b = renderGatewayRuleset(zonesWith([base[0], { cidr: '198.19.2.0/24', protocol: 'tcp', ports: ['8000-8080'] }]), '198.19.100.1', probe);
    expect(b.body((s) => `@${s}`)).toBe(a.body((s) => `@${s}`));
    expect(b.sets.get('z1_ports')!.elements).toEqual(['198.19.0.10/32 . tcp . 443', '198.19.2.0/24 . tcp . 8000-8080']);
  });

  test('the data-path probe is forwarded only to the cluster ranges on its port with its magic word, before the zones', () => {
    const r = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    const body = r.body((s) => `@${s}`);
    const forward = body.slice(body.indexOf('chain forward'));
    const rule = 'iifname @tunnels ip daddr @probe_reply udp dport 9440 @th,64,32 0x45475052 counter name probes accept';
    expect(forward).toContain(rule);
    expect(forward.indexOf(rule)).toBeLessThan(forward.indexOf('iifname vmap'));
    expect(r.sets.get('probe_reply')!.elements).toEqual(probe.replyTo);
    // Without an egress IP the probe is dropped with everything else from the tunnels: the replica is not forwarding.
    const none = renderGatewayRuleset(zonesWith(base), undefined, probe).body((s) => `@${s}`);
    expect(none.indexOf('iifname @tunnels drop')).toBeLessThan(none.indexOf(rule));
  });
});
