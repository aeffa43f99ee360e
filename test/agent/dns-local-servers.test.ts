import { spawnSync } from 'node:child_process';
import { renderDnsRuleset } from '../../src/agent/node/dns-ruleset';
import { DATA_PATH_DEFAULTS, parseDataPathConfig } from '../../src/datapath';
import { describeWithTools } from '../exporters/tooling';

// NodeLocal DNSCache NOTRACKs its addresses in the raw table, so the node agent's DNAT never sees zone pods' queries to
// them (docs/domain-names.md): the agent rewrites those before conntrack and gives the reply its address back.

function document(localServers?: unknown) {
  return {
    version: 1,
    cluster: { podCidrs: ['10.244.0.0/16'], serviceCidrs: [], nodeCidrs: [] },
    gateways: [],
    natPools: [],
    node: DATA_PATH_DEFAULTS.node,
    zones: [{ name: 'z1', id: 1, members: { namespaces: ['z1'], matchLabels: {} }, failOpen: false, allow: [], noGateway: [] }],
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      minTtlSeconds: 60,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 32,
      maxAddressesPerZone: 100,
      zones: [{ zone: 'z1', rules: [{ name: 'stripe', patterns: ['*.stripe.com'], protocol: 'tcp', ports: ['443'] }], addresses: [] }],
      ...(localServers === undefined ? {} : { localServers }),
    },
  };
}

const servers = [{ address: '10.96.0.10', port: 10054 }, { address: '169.254.20.10', port: 10055 }];
const script = renderDnsRuleset(parseDataPathConfig(document(servers)), [{ ip: '10.244.1.5', zone: 'z1' }], []);

describe('local DNS servers in the DNS table', () => {
  test('before NodeLocal DNSCache\'s NOTRACK (raw - 10), a zone pod\'s query to each is rewritten to the proxy on its own port', () => {
    expect(script).toContain('type filter hook prerouting priority raw - 10;');
    for (const p of ['udp', 'tcp']) {
      expect(script).toContain(`ip saddr @dns_pods ip daddr 169.254.20.10 ${p} dport 53 ip daddr set 169.254.101.53 ${p} dport set 10055`);
      expect(script).toContain(`ip saddr @dns_pods ip daddr 10.96.0.10 ${p} dport 53 ip daddr set 169.254.101.53 ${p} dport set 10054`);
    }
  });

  test('after NAT (srcnat + 10), the proxy\'s reply from that port gets the address and port 53 back; DNATed replies are un-NATed already', () => {
    expect(script).toContain('type filter hook postrouting priority srcnat + 10;');
    expect(script).toContain('ip saddr 169.254.101.53 ip daddr @dns_pods udp sport 10055 ip saddr set 169.254.20.10 udp sport set 53');
    expect(script).toContain('ip saddr 169.254.101.53 ip daddr @dns_pods tcp sport 10054 ip saddr set 10.96.0.10 tcp sport set 53');
  });

  test('without local servers there are no such chains', () => {
    const plain = renderDnsRuleset(parseDataPathConfig(document()), [{ ip: '10.244.1.5', zone: 'z1' }], []);
    expect(plain).not.toMatch(/dns_local_(query|reply)/);
  });

  describeWithTools('in the kernel', ['nft', 'unshare'], true, () => {
    test('the kernel accepts the chains (nft in a throw-away network namespace)', () => {
      const r = spawnSync('unshare', ['-n', 'sh', '-c', 'nft -f /dev/stdin <<EOF\n' + script + 'EOF\nnft list chain inet cdk8s_egress_dns dns_local_reply'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('ip saddr set 169.254.20.10 udp sport set 53');
    });
  });
});

describe('the localServers field of the data-path document', () => {
  test('an address that is not IPv4, and a port taken by the proxy or another server, are refused', () => {
    expect(() => parseDataPathConfig(document([{ address: '2001:db8::53', port: 10054 }]))).toThrow(/\$\.domains\.localServers\[0\]\.address: must be an IPv4 address, got "2001:db8::53"/);
    expect(() => parseDataPathConfig(document([{ address: '169.254.20.10', port: 10053 }]))).toThrow(/\$\.domains\.localServers: duplicate port 10053/);
    expect(() => parseDataPathConfig(document([{ address: '169.254.20.10', port: 10054, extra: 1 }]))).toThrow(/localServers\[0\]/);
  });

  test('absent stays absent', () => {
    expect(parseDataPathConfig(document()).domains?.localServers).toBeUndefined();
  });
});
