import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { Testing } from 'cdk8s';
import { answer } from './dns-answer';
import { ClusterNetwork, Destination, EgressZone, Port } from '../../src';
import { DnsProxy } from '../../src/agent/node/dns-proxy';
import { learnedElementsScript, renderDnsRuleset } from '../../src/agent/node/dns-ruleset';
import { DATA_PATH_DEFAULTS, DataPathConfig, parseDataPathConfig } from '../../src/datapath';
import { dataPathOf, gateway, objectsOf, one } from '../constructs/egress-gateway-fixture';
import { describeWithTools } from '../exporters/tooling';

// Domain rules for dual-stack and IPv6 pods (docs/domain-names.md): the data-path document's version 5, the agent's
// IPv6 half of the DNS table, and the zone's Calico DNS rule to the proxy's IPv6 address.

const PROXY6 = 'fdc8:e6e5:5d45::53';

function config(version: number, proxy6?: object): DataPathConfig {
  return parseDataPathConfig({
    version,
    cluster: { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: [], nodeCidrs: [] },
    gateways: [],
    natPools: [],
    node: DATA_PATH_DEFAULTS.node,
    zones: [1, 2].map((id) => ({ name: `z${id}`, id, members: { namespaces: [`z${id}`], matchLabels: {} }, failOpen: false, allow: [], noGateway: [] })),
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      ...(proxy6 ? { proxy6 } : {}),
      minTtlSeconds: 60,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 32,
      maxAddressesPerZone: 100,
      zones: [{ zone: 'z1', rules: [{ name: 'stripe', patterns: ['*.stripe.com'], protocol: 'tcp', ports: ['443'] }], addresses: ['2001:db8:100::/48'] },
        { zone: 'z2', rules: [{ name: 'other', patterns: ['other.example'], protocol: 'tcp', ports: ['443'] }], addresses: [] }],
    },
  });
}

/** A dual-stack estate with a domain rule on Calico; `podsV6`: the cluster gives pods IPv6 addresses. */
function estate(podsV6: boolean) {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16', ...(podsV6 ? ['fd00:10:244::/56'] : [])], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/24'] });
  gateway(chart);
  const orders = new EgressZone(chart, 'orders', { namespaces: ['orders'] });
  orders.allow('stripe', { to: [Destination.domain('api.stripe.com')], ports: [Port.tcp(443)] });
  return chart;
}

describe('the data-path document for IPv6 pods', () => {
  test('version 5 with domains.proxy6 (and the IPv6 cluster ranges) only when the cluster has IPv6 pods', () => {
    const v6 = dataPathOf(Testing.synth(estate(true)));
    expect([v6.version, v6.domains?.proxy6]).toEqual([5, { address: PROXY6 }]);
    expect(v6.cluster.podCidrs).toContain('fd00:10:244::/56');
    const v4 = dataPathOf(Testing.synth(estate(false)));
    expect([v4.version, v4.domains?.proxy6]).toEqual([1, undefined]);
  });

  test('an agent that reads up to version 4 refuses it at $.version; proxy6 in version 4 is an unknown field; a routable address is refused', () => {
    const text = objectsOf(estate(true), 'ConfigMap').find((o) => o.metadata.name === 'egress-data-path').data['data-path.json'];
    expect(() => parseDataPathConfig(text, [1, 2, 3, 4])).toThrow(/\$\.version: is 5, newer than this agent reads \(versions 1, 2, 3, 4\)/);
    expect(() => config(4, { address: PROXY6 })).toThrow(/\$\.domains\.proxy6: unknown field/);
    expect(() => config(5, { address: '2001:db8::53' })).toThrow(/\$\.domains\.proxy6\.address: must be a unique-local IPv6 address \(fc00::\/7\), got "2001:db8::53"/);
    expect(config(5, { address: 'FDC8:E6E5:5D45:0::53' }).domains?.proxy6).toEqual({ address: PROXY6 });
  });

  test('Calico: DNS to the proxy\'s IPv6 address only for a zone with IPv6 pods', () => {
    const dnsOf = (podsV6: boolean) => one(objectsOf(estate(podsV6), 'GlobalNetworkPolicy'), 'GlobalNetworkPolicy', 'egress-orders').spec.egress
      .filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'dns-proxy').map((r: any) => [r.protocol, r.ipVersion, r.destination.nets, r.destination.ports]);
    expect(dnsOf(true)).toEqual([['UDP', 4, ['169.254.101.53/32'], [10053]], ['TCP', 4, ['169.254.101.53/32'], [10053]],
      ['UDP', 6, [`${PROXY6}/128`], [10053]], ['TCP', 6, [`${PROXY6}/128`], [10053]]]);
    expect(dnsOf(false).map((r: any[]) => r[1])).toEqual([4, 4]);
  });
});

describe('the DNS table\'s IPv6 half', () => {
  const pods = [{ ip: '10.244.1.5', zone: 'z1' }, { ip: 'fd00:10:244:1::5', zone: 'z1' }, { ip: 'fd00:10:244:1::6', zone: 'z2' }];
  const learned = [{ set: 'd6_1_0', ip: '2001:db8:7::1', timeoutSeconds: 30 }];
  const listed = (cfg: DataPathConfig) => {
    const script = renderDnsRuleset(cfg, pods, learned) + learnedElementsScript([{ set: 'd6_2_0', ip: '2001:db8:9::1', timeoutSeconds: 90 }]);
    const r = spawnSync('unshare', ['-n', 'sh', '-c', 'nft -f /dev/stdin <<EOF\n' + script + 'EOF\nnft -j list table inet cdk8s_egress_dns'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const items: any[] = JSON.parse(r.stdout).nftables;
    const set = (name: string) => items.find((o) => o.set?.name === name)?.set.elem ?? [];
    const map = (name: string) => (items.find((o) => o.map?.name === name)?.map.elem ?? []).map(([k, v]: any) => [k, v.jump.target]);
    const rules = (chain: string) => items.filter((o) => o.rule?.chain === chain).map((o) => JSON.stringify(o.rule.expr));
    return { set, map, rules };
  };

  describeWithTools('in the kernel (nft in a throw-away network namespace)', ['nft', 'unshare'], true, () => {
    test('IPv6 pods go to their zone\'s chain; their DNS to proxy6; in-cluster IPv6 passes; IPv4 pods stay in the IPv4 map', () => {
      const k = listed(config(5, { address: PROXY6 }));
      expect(k.map('pod_zone6')).toEqual([['fd00:10:244:1::5', 'dz_1'], ['fd00:10:244:1::6', 'dz_2']]);
      expect(k.map('pod_zone')).toEqual([['10.244.1.5', 'dz_1']]);
      expect(k.set('dns_pods6')).toEqual(['fd00:10:244:1::5', 'fd00:10:244:1::6']);
      expect(JSON.stringify(k.set('cluster6'))).toContain('"fd00:10:244::"');
      const redirect = k.rules('dns_redirect').find((r) => r.includes('dns_pods6'))!;
      expect(JSON.parse(redirect).find((e: any) => e.dnat)?.dnat).toEqual({ family: 'ip6', addr: PROXY6, port: 10053 });
      expect(k.rules('forward').some((r) => r.includes('"@pod_zone6"') && r.includes('"ip6"'))).toBe(true);
      // The zone's chain: in-cluster first, then the learned IPv6 set on the rule's port, then the drop on it.
      const dz1 = k.rules('dz_1');
      expect(dz1.findIndex((r) => r.includes('@cluster6'))).toBeLessThan(dz1.findIndex((r) => r.includes('@d6_1_0')));
      expect(JSON.stringify(k.set('d6_1_0'))).toContain('2001:db8:7::1');
      expect(JSON.stringify(k.set('d6_2_0'))).toContain('2001:db8:9::1');
    });

    test('without proxy6 (version 2 document with IPv6 pods): no IPv6 DNAT, yet the IPv6 gate still closes domain ports', () => {
      const k = listed(config(2));
      expect(k.rules('dns_redirect').some((r) => r.includes('dns_pods6'))).toBe(false);
      expect(k.map('pod_zone6').length).toBe(2);
      expect(k.rules('dz_1').some((r) => r.includes('"drop"'))).toBe(true);
    });
  });
});

describe('the proxy on an IPv6 address', () => {
  test('UDP over IPv6: the pod\'s IPv6 address is what onAnswer learns for', async () => {
    const upstream = dgram.createSocket('udp4');
    upstream.on('message', (q, r) => upstream.send(answer(q.readUInt16BE(0), 'api.stripe.com', [['api.stripe.com', 'AAAA', 1, '2001:db8:0:0:0:0:0:7']]), r.port, r.address));
    await new Promise<void>((res) => upstream.bind(0, '127.0.0.1', () => res()));
    const seen: string[] = [];
    const proxy = new DnsProxy({ address: '::1', port: 0, upstreams: [`127.0.0.1:${upstream.address().port}`], onAnswer: async (pod, _n, addrs) => { seen.push(`${pod} ${addrs[0].ip}`); } });
    await proxy.start();
    const c = dgram.createSocket('udp6');
    const reply = await new Promise<Buffer>((res) => { c.on('message', res); c.send(answer(9, 'api.stripe.com', [], 0x0100), (proxy as any).udp.address().port, '::1'); });
    c.close(); proxy.stop(); upstream.close();
    expect(reply.readUInt16BE(0)).toBe(9);
    expect(seen).toEqual(['::1 2001:db8::7']);
  });
});
