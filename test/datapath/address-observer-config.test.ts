import { Testing } from 'cdk8s';
import { Destination, EgressZone, Enforcement, Port, StagedZoneObserver } from '../../src';
import { renderObserverScript, observedFromListing } from '../../src/agent/node/address-observer-ruleset';
import { parseDataPathConfig } from '../../src/datapath';
import { clusterChart, dataPathOf, gateway } from '../constructs/egress-gateway-fixture';

// The address observer's part of the data-path document: what the library writes (nodeAgent.observeStagedZones),
// what the agents accept, and the table the node agent renders from it.

function app(observeStagedZones?: boolean) {
  const chart = clusterChart();
  const gw = gateway(chart, observeStagedZones === undefined ? {} : { nodeAgent: { observeStagedZones } });
  const partners = new EgressZone(chart, 'partners', { namespaces: ['partners'] });
  partners.egressVia(gw);
  partners.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  new EgressZone(chart, 'shop-api', { namespaces: ['shop'], podLabels: { app: 'web' }, enforcement: Enforcement.STAGED })
    .allow('p', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)] });
  new EgressZone(chart, 'staged-gw', { namespaces: ['batch'], enforcement: Enforcement.STAGED }).egressVia(gw);
  return dataPathOf(Testing.synth(chart));
}

describe('data-path observe: the staged zones the node agent records', () => {
  test('asked for: every staged zone (gateway or not) with its members; none of them is steered', () => {
    const doc = app(true);
    expect(doc.observe).toEqual({
      zones: [
        { name: 'shop-api', members: { namespaces: ['shop'], matchLabels: { app: 'web' } } },
        { name: 'staged-gw', members: { namespaces: ['batch'], matchLabels: {} } },
      ],
      maxAddresses: 4096,
      timeoutSeconds: 604800,
    });
    expect(doc.zones.map((z: any) => z.name)).toEqual(['partners']);
  });

  test('not asked for (the default, or false): no section', () => {
    expect(app().observe).toBeUndefined();
    expect(app(false).observe).toBeUndefined();
  });

  test('the agents refuse a section they cannot apply, with the JSON path', () => {
    const base = { version: 4, cluster: { podCidrs: ['10.0.0.0/16'], serviceCidrs: [], nodeCidrs: [] }, zones: [], gateways: [], natPools: [] };
    const bad = (observe: object) => () => parseDataPathConfig({ ...base, observe });
    expect(bad({ zones: [{ name: 'a', members: { namespaces: [], matchLabels: {} } }], maxAddresses: 10, timeoutSeconds: 3600 }))
      .toThrow(/\$\.observe\.zones\[0\]\.members\.namespaces: must name at least one namespace/);
    expect(bad({ zones: [], maxAddresses: 0, timeoutSeconds: 3600 })).toThrow(/\$\.observe\.maxAddresses/);
    expect(bad({ zones: [], maxAddresses: 10, timeoutSeconds: 5 })).toThrow(/\$\.observe\.timeoutSeconds/);
    expect(bad({ zones: [], maxAddresses: 10, timeoutSeconds: 3600, extra: 1 })).toThrow(/\$\.observe\.extra: unknown field/);
  });
});

describe('the observer table (pure render and listing)', () => {
  const config = parseDataPathConfig({
    version: 4,
    cluster: { podCidrs: ['10.0.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/24'] },
    zones: [],
    gateways: [],
    natPools: [],
    observe: { zones: [{ name: 'shop-api', members: { namespaces: ['shop'], matchLabels: {} } }], maxAddresses: 100, timeoutSeconds: 3600 },
  });
  const pods = [{ ip: '10.0.1.5', zone: 'shop-api' }, { ip: '10.0.1.6', zone: 'other' }, { ip: 'fd00::5', zone: 'shop-api' }];

  test('the zone\'s IPv4 pods, the cluster ranges excluded, new connections only; recorded sets are added, never flushed', () => {
    const lines = renderObserverScript(config, pods, new Map()).trim().split('\n');
    expect(lines).toContain('add element ip cdk8s_egress_observe pods_shop_api { 10.0.1.5 }');
    expect(lines).toContain('add element ip cdk8s_egress_observe cluster { 10.0.0.0/16, 10.96.0.0/12, 192.0.2.0/24 }');
    expect(lines).toContain('add set ip cdk8s_egress_observe seen_shop_api { type ipv4_addr . inet_proto . inet_service; size 100; flags dynamic,timeout; timeout 3600s; counter; }');
    expect(lines.filter(l => /^flush set/.test(l))).toEqual(['flush set ip cdk8s_egress_observe cluster', 'flush set ip cdk8s_egress_observe pods_shop_api']);
    expect(lines.filter(l => /^add rule/.test(l)).every(l => l.includes('ct state new ip saddr @pods_shop_api ip daddr != @cluster'))).toBe(true);
  });

  test('a set whose bounds changed is rebuilt; a zone no longer observed loses its sets', () => {
    const existing = new Map<string, { size?: number; timeout?: number; counter?: boolean }>([['seen_shop_api', { size: 50, timeout: 3600 }],
      ['first_shop_api', { size: 100, timeout: 3600 }], ['seen_gone', { size: 100, timeout: 3600 }], ['unrecorded_gone', { counter: true }], ['unrecorded_shop_api', { counter: true }]]);
    const deletes = renderObserverScript(config, pods, existing).split('\n').filter(l => l.startsWith('delete'));
    expect(deletes).toEqual(['delete set ip cdk8s_egress_observe seen_shop_api', 'delete set ip cdk8s_egress_observe seen_gone',
      'delete counter ip cdk8s_egress_observe unrecorded_gone']);
  });

  test('a listing becomes addresses with connections, first and last seen (from the expiry times)', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    const elem = (addr: string, expires: number, packets?: number) => ({ elem: { val: { concat: [addr, 'tcp', 8443] }, expires, ...(packets === undefined ? {} : { counter: { packets, bytes: 60 * packets } }) } });
    const listing = JSON.stringify({
      nftables: [
        { set: { name: 'seen_shop_api', size: 100, timeout: 3600, elem: [elem('198.18.0.7', 3540, 3)] } },
        { set: { name: 'first_shop_api', size: 100, timeout: 3600, elem: [elem('198.18.0.7', 600)] } },
        { counter: { name: 'unrecorded_shop_api', packets: 2 } },
      ],
    });
    expect(observedFromListing(listing, 'node1', now)).toEqual({
      kind: 'ObservedAddresses',
      node: 'node1',
      observedAt: '2026-01-01T01:00:00Z',
      zones: [{
        zone: 'shop-api',
        timeoutSeconds: 3600,
        maxAddresses: 100,
        unrecorded: 2,
        addresses: [
          { address: '198.18.0.7', protocol: 'tcp', port: 8443, connections: 3, firstSeen: '2026-01-01T00:10:00Z', lastSeen: '2026-01-01T00:59:00Z' },
        ],
      }],
    });
  });
});

describe('StagedZoneObserver: the observer for an app without an EgressGateway', () => {
  function noGatewayApp(observer: boolean) {
    const chart = clusterChart();
    new EgressZone(chart, 'shop', { namespaces: ['shop'], enforcement: Enforcement.STAGED }).allow('p', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)] });
    if (observer) new StagedZoneObserver(chart, 'observer', { namespace: 'egress' });
    return Testing.synth(chart);
  }

  test('the node agent DaemonSet with its RBAC and a data-path ConfigMap that observes the staged zone and steers nothing', () => {
    const objects = noGatewayApp(true);
    const doc = dataPathOf(objects, 'egress');
    expect(doc.observe!.zones).toEqual([{ name: 'shop', members: { namespaces: ['shop'], matchLabels: {} } }]);
    expect([doc.zones, doc.gateways, doc.natPools]).toEqual([[], [], []]);
    const ds = objects.find(o => o.kind === 'DaemonSet');
    expect(ds.metadata).toMatchObject({ name: 'egress-nat', namespace: 'egress' });
    expect(ds.spec.template.spec.containers[0].args.slice(0, 3)).toEqual(['node', '--config', '/etc/cdk8s-egress/data-path.json']);
    // Privilege as the gateway's node agent has: list/watch of pods and EndpointSlices, nothing else.
    expect(objects.filter(o => o.kind === 'ClusterRole').flatMap(o => o.rules).map((r: any) => `${r.apiGroups}/${r.resources} ${r.verbs} [${r.resourceNames}]`))
      .toEqual(['/pods list,watch []', 'discovery.k8s.io/endpointslices list,watch []']);
  });

  test('without it: no node agent, no data-path ConfigMap', () => {
    const kinds = noGatewayApp(false).map(o => o.kind);
    expect(kinds).not.toContain('DaemonSet');
    expect(kinds).not.toContain('ConfigMap');
  });
});
