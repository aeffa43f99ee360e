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

  test('the allow-lists are maps apart from the rules: the rules refer to them only through ref()', () => {
    const a = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    expect(a.sets.get('z1_l32')).toEqual({ type: 'ipv4_addr : verdict', interval: false, elements: [expect.stringMatching(/^198\.19\.0\.10 : jump z1_c_[0-9a-f]{12}$/)] });
    expect(a.sets.get('z1_l24')!.elements).toEqual([expect.stringMatching(/^198\.19\.1\.0 : jump z1_c_/)]);
    expect(a.sets.get('tunnels')!.interval).toBe(false);
    const body = a.body((s) => `@${s}_g3`);
    expect(body).toContain('ip daddr vmap @z1_l32_g3');
    expect(body).toContain('ip daddr & 255.255.255.0 vmap @z1_l24_g3');
    expect(body).not.toMatch(/@(z1_l32|z1_l24|tunnels|probe_reply)\b(?!_g3)/);
    expect(body).not.toContain('elements');
    expect(a.counters).toEqual(expect.arrayContaining(['z1_allowed', 'z1_dropped', 'probes']));
    // An allow-list change within the same prefix lengths and port classes changes the maps only.
    const b = renderGatewayRuleset(zonesWith([base[0], { cidr: '198.19.2.0/24', protocol: 'any', ports: [] }]), '198.19.100.1', probe);
    expect(b.body((s) => `@${s}`)).toBe(a.body((s) => `@${s}`));
    expect(b.sets.get('z1_l24')!.elements).toEqual([expect.stringMatching(/^198\.19\.2\.0 : jump z1_c_/)]);
  });

  test('each zone chain counts and drops what none of its prefixes\' classes accepted; classes count as allowed', () => {
    const r = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    const body = r.body((s) => `@${s}`);
    const zone1 = body.slice(body.indexOf('  chain zone_1 {'), body.indexOf('  }', body.indexOf('  chain zone_1 {')));
    expect(zone1.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual([
      'chain zone_1 {', 'ct state new ct mark set 1', 'ip daddr vmap @z1_l32', 'ip daddr & 255.255.255.0 vmap @z1_l24', 'counter name z1_dropped drop',
    ]);
    const tcp = /198\.19\.0\.10 : jump (\S+)/.exec(r.sets.get('z1_l32')!.elements[0])![1];
    expect(body).toContain(`  chain ${tcp} {\n    tcp dport 443 counter name z1_allowed accept\n  }`);
    expect(r.chains).toEqual(expect.arrayContaining([tcp, 'zone_1', 'zone_2', 'forward', 'postrouting']));
    // Zone 2 allows nothing: no map, no class, its chain only drops.
    expect([...r.sets.keys()].filter((n) => n.startsWith('z2_'))).toEqual([]);
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
