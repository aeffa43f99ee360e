import { computeGatewayDesired } from '../../src/agent/gateway/gateway-desired-state';
import { LEARNED_NODE_AGEING_S } from '../../src/agent/gateway/reply-tunnel';
import { parseConntrackList } from '../../src/agent/shared/conntrack-entry';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const config = parseDataPathConfig(validDocument());

describe('computeGatewayDesired', () => {
  test('one tunnel device per zone with the MAC nodes derive from the pod IP; allow-list as hash maps per prefix length; SNAT to the held egress IP', () => {
    const d = computeGatewayDesired(config, 'gw', { podIp: '10.201.100.11', localAddresses: ['10.201.100.11', '198.19.100.2'] });
    expect(d.net.links).toEqual([
      { name: 'egz4101', vni: 4101, port: 4789, mac: '02:65:0a:c9:64:0b', learningAgeing: LEARNED_NODE_AGEING_S },
      { name: 'egz4102', vni: 4102, port: 4789, mac: '02:65:0a:c9:64:0b', learningAgeing: LEARNED_NODE_AGEING_S },
    ]);
    expect(d.egressIp).toBe('198.19.100.2');
    const body = d.ruleset.body((s) => `@${s}`);
    const classOf = (set: string) => /jump (\S+)$/.exec(d.ruleset.sets.get(set)!.elements[0])![1];
    expect(body).toContain(`chain ${classOf('z1_l32')} {\n    tcp dport { 443, 8000-8080 } counter name z1_allowed accept\n  }`);
    expect(body).toContain(`chain ${classOf('z1_l24')} {\n    meta l4proto icmp counter name z1_allowed accept\n  }`);
    expect(body).toContain('counter name z1_dropped drop');
    expect(body).toContain('iifname @tunnels snat ip to 198.19.100.2');
    expect(body).not.toContain('iifname @tunnels drop');
  });

  test('without an egress IP the replica forwards nothing from the tunnels', () => {
    const d = computeGatewayDesired(config, 'gw', { podIp: '10.201.100.11', localAddresses: ['10.201.100.11'] });
    expect(d.egressIp).toBeUndefined();
    const body = d.ruleset.body((s) => `@${s}`);
    expect(body).toContain('iifname @tunnels drop');
    expect(body).not.toContain('snat');
  });

  test('an unknown gateway name is an error naming the configured ones', () => {
    expect(() => computeGatewayDesired(config, 'other', { podIp: '10.0.0.1', localAddresses: [] })).toThrow(/unknown gateway "other" \(configured: gw\)/);
  });
});

describe('parseConntrackList', () => {
  test('reads original and reply tuples, mark and TCP state', () => {
    const [udp, tcp] = parseConntrackList([
      'udp      17 29 src=10.201.1.10 dst=198.19.0.10 sport=40674 dport=9000 [UNREPLIED] src=198.19.0.10 dst=198.19.100.1 sport=9000 dport=40674 mark=68157440 use=1',
      'tcp      6 299 ESTABLISHED src=10.201.1.10 dst=198.19.0.10 sport=1 dport=8080 src=198.19.0.10 dst=10.201.1.10 sport=8080 dport=1 [ASSURED] mark=1 use=1',
      'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.',
    ].join('\n'));
    expect(udp).toEqual({
      protocol: 'udp',
      src: '10.201.1.10',
      dst: '198.19.0.10',
      sport: 40674,
      dport: 9000,
      replySrc: '198.19.0.10',
      replyDst: '198.19.100.1',
      replyDport: 40674,
      mark: 68157440,
      state: undefined,
    });
    expect(tcp.state).toBe('ESTABLISHED');
    expect(tcp.mark).toBe(1);
  });
});
