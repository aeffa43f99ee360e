import { spawnSync } from 'node:child_process';
import { computeGatewayDesired } from '../../src/agent/gateway/gateway-desired-state';
import { planTableSwap } from '../../src/agent/shared/nft-table-swap';
import { parseDataPathConfig } from '../../src/datapath';
import { v2Document, validDocument } from '../datapath/data-path-fixture';
import { describeWithTools } from '../exporters/tooling';

// Domain rules through the gateway (docs/domain-names.md "Through a gateway"): what the gateway's table admits for a
// zone's tunnel traffic, with no addresses: the rule's ports, external destinations only, its own families only.

const observed = { podIp: '10.201.100.11', localAddresses: ['198.19.100.1', '2001:db8:e::1'] };

function withDomainRules(doc: any): any {
  doc.version = 3;
  doc.zones[0].domainRules = [{ name: 'stripe', protocol: 'tcp', ports: ['443'] }, { name: 'feeds', protocol: 'udp', ports: [] }];
  return doc;
}

const lines = (body: string, chain: string) => {
  const from = body.indexOf(`  chain ${chain} {`);
  return body.slice(from, body.indexOf('  }', from)).split('\n').map((l) => l.trim()).filter(Boolean);
};

describe('the gateway\'s domain-rule chains', () => {
  test('a zone with domain rules: after its allow-list, before its drop, the rules\' ports to non-cluster IPv4 addresses, counted as allowed', () => {
    const d = computeGatewayDesired(parseDataPathConfig(withDomainRules(validDocument())), 'gw', observed);
    const body = d.ruleset.body((s) => `@${s}`);
    expect(lines(body, 'zd_1')).toEqual([
      'chain zd_1 {',
      'ip daddr @domain_cluster return',
      'meta nfproto ipv4 tcp dport { 443 } counter name z1_allowed accept',
      'meta nfproto ipv4 meta l4proto udp counter name z1_allowed accept',
    ]);
    expect(lines(body, 'zone_1').slice(-2)).toEqual(['jump zd_1', 'counter name z1_dropped drop']);
    expect(d.ruleset.sets.get('domain_cluster')).toEqual({ type: 'ipv4_addr', interval: true, elements: ['10.201.0.0/16', '10.96.0.0/16', '198.18.0.0/16'] });
    // Zone 2 has none: no jump, no chain.
    expect(lines(body, 'zone_2')).not.toContain('jump zd_2');
    expect(d.ruleset.chains).not.toContain('zd_2');
  });

  test('a gateway that forwards IPv6 admits IPv6 too, never to an IPv6 cluster range', () => {
    const d = computeGatewayDesired(parseDataPathConfig(withDomainRules(v2Document())), 'gw', observed);
    const body = d.ruleset.body((s) => `@${s}`);
    expect(lines(body, 'zd_1')).toEqual([
      'chain zd_1 {', 'ip daddr @domain_cluster return', 'ip6 daddr @domain_cluster6 return',
      'tcp dport { 443 } counter name z1_allowed accept', 'meta l4proto udp counter name z1_allowed accept',
    ]);
    expect(d.ruleset.sets.get('domain_cluster6')!.elements).toEqual(['fd00:10:201::/56', 'fd00:198:18::/64']);
  });

  test('without domain rules the table is what it was (no sets, no chains added)', () => {
    const d = computeGatewayDesired(parseDataPathConfig(validDocument()), 'gw', observed);
    expect([...d.ruleset.sets.keys()].filter((n) => n.startsWith('domain_'))).toEqual([]);
    expect(d.ruleset.body((s) => `@${s}`)).not.toContain('zd_');
  });

  describeWithTools('in the kernel', ['nft', 'unshare'], true, () => {
    test('the kernel accepts the table with its domain chains (nft in a throw-away network namespace)', () => {
      const d = computeGatewayDesired(parseDataPathConfig(withDomainRules(v2Document())), 'gw', observed);
      const swap = planTableSwap(d.ruleset, undefined, undefined)!;
      const script = `${swap.stage ?? ''}${swap.swap}`;
      const r = spawnSync('unshare', ['-n', 'sh', '-c', `nft -f /dev/stdin <<'EOF'\n${script}EOF\nnft list chain inet cdk8s_egress_gw zd_1`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/tcp dport 443 counter name "z1_allowed" accept/);
    });
  });
});
