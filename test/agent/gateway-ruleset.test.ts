import { renderGatewayRuleset, renderSetDelta } from '../../src/agent/gateway/gateway-ruleset';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const probe = { port: 9440, replyTo: ['198.18.0.0/16', '10.201.0.0/16'] };

function zonesWith(allow: any[]): any[] {
  const doc = validDocument();
  doc.zones[0].allow = allow;
  return parseDataPathConfig(doc).zones.filter((z) => z.gateway === 'gw');
}

describe('renderGatewayRuleset / renderSetDelta', () => {
  const base = [{ cidr: '198.19.0.10/32', protocol: 'tcp', ports: ['443'] }, { cidr: '198.19.1.0/24', protocol: 'any', ports: [] }];

  test('an allow-list change keeps the skeleton: the delta deletes and adds only the changed elements', () => {
    const a = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    const b = renderGatewayRuleset(zonesWith([base[0], { cidr: '198.19.2.0/24', protocol: 'tcp', ports: ['8000-8080'] }]), '198.19.100.1', probe);
    expect(b.skeleton).toBe(a.skeleton);
    expect(b.nft).not.toBe(a.nft);
    const d = renderSetDelta(a.sets, b.sets)!;
    expect(d.nft.split('\n').filter(Boolean)).toEqual([
      'delete element inet cdk8s_egress_gw z1_any { 198.19.1.0/24 }',
      'add element inet cdk8s_egress_gw z1_ports { 198.19.2.0/24 . tcp . 8000-8080 }',
    ]);
    expect([d.added, d.removed]).toEqual([1, 1]);
    expect(renderSetDelta(a.sets, a.sets)).toBeUndefined();
  });

  test('anything but set elements (egress IP, zones) changes the skeleton: the table is replaced', () => {
    const a = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    expect(renderGatewayRuleset(zonesWith(base), '198.19.100.2', probe).skeleton).not.toBe(a.skeleton);
    expect(renderGatewayRuleset(zonesWith(base), undefined, probe).skeleton).not.toBe(a.skeleton);
  });

  test('the data-path probe is forwarded only to the cluster ranges on its port with its magic word, before the zones', () => {
    const r = renderGatewayRuleset(zonesWith(base), '198.19.100.1', probe);
    const forward = r.nft.slice(r.nft.indexOf('chain forward'));
    const rule = 'iifname @tunnels ip daddr @probe_reply udp dport 9440 @th,64,32 0x45475052 counter name probes accept';
    expect(forward).toContain(rule);
    expect(forward.indexOf(rule)).toBeLessThan(forward.indexOf('iifname vmap'));
    expect(r.sets.get('probe_reply')).toEqual(probe.replyTo);
    // Without an egress IP the probe is dropped with everything else from the tunnels: the replica is not forwarding.
    const none = renderGatewayRuleset(zonesWith(base), undefined, probe).nft;
    expect(none.indexOf('iifname @tunnels drop')).toBeLessThan(none.indexOf(rule));
  });
});
