import { Chart, Testing } from 'cdk8s';
import {
  Backend, ClusterNetwork, Destination, DestinationSet, EgressZone, EgressZoneProps, HttpMatch, HttpPath, InClusterTraffic, IstioMode, NatPool, Port,
  Selector,
} from '../../src';

/** Synthesizes one chart; the zones get `mesh` and in-cluster ALLOW unless they say otherwise. */
type Build = (chart: Chart, zone: (id: string, props?: EgressZoneProps) => EgressZone) => void;
function synthMesh(mesh: Backend, build: Build, network = Backend.CILIUM): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  new ClusterNetwork(chart, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
  const zone = (id: string, props: EgressZoneProps = {}) => new EgressZone(chart, id, {
    namespaces: [id], inCluster: InClusterTraffic.ALLOW, backend: network, mesh, ...props,
  });
  build(chart, zone);
  return Testing.synth(chart);
}
function synthMeshError(mesh: Backend, build: Build, network = Backend.CILIUM): string {
  try {
    synthMesh(mesh, build, network);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}
const find = (objects: any[], kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name);
const charges = HttpMatch.http({ methods: ['GET'], paths: [HttpPath.exact('/v1/charges'), HttpPath.prefix('/v1/refunds/')] });

describe('Istio ambient mode (the default)', () => {
  const objects = synthMesh(Backend.istio(), (chart, zone) => {
    zone('pay').allow('charges', { to: [Destination.domain('api.pay.example')], ports: [Port.tcp(80)], http: charges });
    const shop = zone('shop');
    shop.allow('charges', { to: [Destination.domain('api.pay.example')], ports: [Port.tcp(80)], http: HttpMatch.http({ methods: ['POST'] }) });
    shop.allow('files', { to: [Destination.domain('files.example.com')], ports: [Port.tcp(443)], http: HttpMatch.tls() });
    const db = new DestinationSet(chart, 'db', { entries: [{ cidr: '203.0.113.10' }] });
    zone('batch').allow('db', { to: [Destination.set(db)], ports: [Port.tcp(5432)] });
  });

  test('the waypoint: a Gateway of class istio-waypoint for services, HBONE on 15008', () => {
    const gw = find(objects, 'Gateway', 'egress-waypoint');
    expect(gw.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gw.metadata.namespace).toBe('istio-egress');
    expect(gw.metadata.labels['istio.io/waypoint-for']).toBe('service');
    expect(gw.spec).toEqual({ gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
  });

  test('one ServiceEntry per destination, bound to the waypoint: hosts resolved by DNS, an address as a STATIC endpoint', () => {
    const entries = objects.filter(o => o.kind === 'ServiceEntry');
    expect(entries.map(e => e.metadata.name).sort()).toEqual(['address-203-0-113-10', 'api.pay.example', 'files.example.com']);
    for (const e of entries) expect(e.metadata.labels['istio.io/use-waypoint']).toBe('egress-waypoint');
    expect(find(objects, 'ServiceEntry', 'api.pay.example').spec).toEqual({
      hosts: ['api.pay.example'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 80, name: 'http-80', protocol: 'HTTP' }],
    });
    expect(find(objects, 'ServiceEntry', 'files.example.com').spec.ports).toEqual([{ number: 443, name: 'tls-443', protocol: 'TLS' }]);
    expect(find(objects, 'ServiceEntry', 'address-203-0-113-10').spec).toMatchObject({
      addresses: ['203.0.113.10/32'], resolution: 'STATIC', endpoints: [{ address: '203.0.113.10' }], ports: [{ number: 5432, name: 'tcp-5432', protocol: 'TCP' }],
    });
  });

  test('AuthorizationPolicies on the ServiceEntries allow each zone\'s namespaces only the declared methods, paths and server names', () => {
    const api = find(objects, 'AuthorizationPolicy', 'api.pay.example').spec;
    expect(api.targetRefs).toEqual([{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api.pay.example' }]);
    expect(api.action).toBe('ALLOW');
    expect(api.rules).toEqual([
      { from: [{ source: { namespaces: ['pay'] } }], to: [{ operation: { ports: ['80'], methods: ['GET'], paths: ['/v1/charges', '/v1/refunds/*'] } }] },
      { from: [{ source: { namespaces: ['shop'] } }], to: [{ operation: { ports: ['80'], methods: ['POST'] } }] },
    ]);
    expect(find(objects, 'AuthorizationPolicy', 'files.example.com').spec.rules).toEqual([
      { from: [{ source: { namespaces: ['shop'] } }], to: [{ operation: { ports: ['443'] } }], when: [{ key: 'connection.sni', values: ['files.example.com'] }] },
    ]);
    expect(find(objects, 'AuthorizationPolicy', 'address-203-0-113-10').spec.rules).toEqual([
      { from: [{ source: { namespaces: ['batch'] } }], to: [{ operation: { ports: ['5432'] } }] },
    ]);
  });

  test('the network backend lets the zones reach no external address; the waypoint\'s pods reach the rules\' addresses and names', () => {
    const zonePolicy = find(objects, 'CiliumClusterwideNetworkPolicy', 'egress-pay').spec;
    expect(JSON.stringify(zonePolicy.egress)).not.toMatch(/toFQDNs|toCIDRSet/);
    const point = find(objects, 'CiliumClusterwideNetworkPolicy', 'egress-mesh-egress-waypoint').spec;
    expect(point.endpointSelector.matchLabels).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'egress-waypoint', 'k8s:io.kubernetes.pod.namespace': 'istio-egress' });
    const external = point.egress.filter((r: any) => r.toFQDNs || r.toCIDRSet);
    // pay's and shop's rules to api.pay.example are two rules (each zone's inline set), with the same meaning.
    expect([...new Set(external.map((r: any) => `${r.toFQDNs?.[0].matchName ?? r.toCIDRSet[0].cidr}:${r.toPorts[0].ports[0].port}`))].sort())
      .toEqual(['203.0.113.10/32:5432', 'api.pay.example:80', 'files.example.com:443']);
  });
});

test('TLS origination: the application speaks HTTP to port 80, the egress point originates TLS to 443 with the given CA', () => {
  const build = (_: Chart, zone: (id: string) => EgressZone) => zone('pay').allow('charges', {
    to: [Destination.domain('api.pay.example')], ports: [Port.tcp(443)], http: HttpMatch.originateTls({ methods: ['GET'], credentialName: 'pay-ca' }),
  });
  const ambient = synthMesh(Backend.istio(), build);
  expect(find(ambient, 'ServiceEntry', 'api.pay.example').spec.ports).toEqual([{ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 }]);
  expect(find(ambient, 'DestinationRule', 'api.pay.example-tls').spec).toEqual({
    host: 'api.pay.example', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'api.pay.example', credentialName: 'pay-ca' } }] },
  });
  // The waypoint's network policy reaches 443, the TLS port, not the application's 80.
  const point = find(ambient, 'CiliumClusterwideNetworkPolicy', 'egress-mesh-egress-waypoint').spec;
  expect(point.egress.find((r: any) => r.toFQDNs).toPorts).toEqual([{ ports: [{ port: '443', protocol: 'TCP' }] }]);

  const sidecar = synthMesh(Backend.istio({ mode: IstioMode.SIDECAR }), build);
  expect(find(sidecar, 'DestinationRule', 'api.pay.example-tls').spec.trafficPolicy.portLevelSettings[0].port).toEqual({ number: 443 });
  const vs = find(sidecar, 'VirtualService', 'api.pay.example').spec;
  expect(vs.http[1]).toEqual({ name: 'gateway-http-80', match: [{ gateways: ['istio-egressgateway'], port: 443 }], route: [{ destination: { host: 'api.pay.example', port: { number: 443 } } }] });
});

describe('Istio sidecar mode: the egress gateway pattern', () => {
  const objects = synthMesh(Backend.istio({ mode: IstioMode.SIDECAR }), (_, zone) => {
    zone('pay', { namespaces: ['pay', 'pay-jobs'] }).allow('charges', { to: [Destination.domain('api.pay.example')], ports: [Port.tcp(80)], http: charges });
  });

  test('a REGISTRY_ONLY Sidecar in each zone namespace', () => {
    const sidecars = objects.filter(o => o.kind === 'Sidecar');
    expect(sidecars.map(s => s.metadata.namespace)).toEqual(['pay', 'pay-jobs']);
    for (const s of sidecars) expect(s.spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
  });

  test('sidecars send the host to the gateway over mutual TLS, the gateway sends it on; the gateway\'s policy allows the zone\'s requests only', () => {
    expect(find(objects, 'Gateway', 'istio-egressgateway').spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, name: 'https-mesh', protocol: 'HTTPS' }, hosts: ['api.pay.example'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
    expect(find(objects, 'DestinationRule', 'istio-egressgateway-mesh').spec.subsets).toEqual([
      { name: 'api-pay-example', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'api.pay.example' } }] } },
    ]);
    const vs = find(objects, 'VirtualService', 'api.pay.example').spec;
    expect(vs.gateways).toEqual(['mesh', 'istio-egressgateway']);
    expect(vs.http[0].route[0].destination).toEqual({ host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'api-pay-example', port: { number: 443 } });
    const ap = find(objects, 'AuthorizationPolicy', 'istio-egressgateway').spec;
    expect(ap.selector).toEqual({ matchLabels: { istio: 'egressgateway' } });
    expect(ap.rules).toEqual([{
      from: [{ source: { namespaces: ['pay', 'pay-jobs'] } }],
      to: [{ operation: { hosts: ['api.pay.example'], methods: ['GET'], paths: ['/v1/charges', '/v1/refunds/*'] } }],
    }]);
    // The gateway's pods get the zone's external rules.
    const point = find(objects, 'CiliumClusterwideNetworkPolicy', 'egress-mesh-istio-egressgateway').spec;
    expect(point.endpointSelector.matchLabels).toEqual({ 'istio': 'egressgateway', 'k8s:io.kubernetes.pod.namespace': 'istio-system' });
  });
});

describe('what Istio (as rendered) cannot express is a synth error naming it', () => {
  const ambient = Backend.istio();
  test.each<[string, Backend, Build, RegExp]>([
    ['pod selectors', ambient, (_, zone) => zone('pay', { podSelector: Selector.parse('app == "api"') }),
      /backend "istio" cannot express pod selectors without service accounts \(zone "pay": app == "api"; .*\) \(at test\/pay\); hint: give the mesh zone whole namespaces/],
    ['in-cluster pass', ambient, (_, zone) => zone('pay', { inCluster: InClusterTraffic.PASS }), /a mesh zone with inCluster "pass" .*hint: inCluster: InClusterTraffic.ALLOW/],
    ['ranges', ambient, (_, zone) => zone('pay').allow('r', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] }),
      /address ranges through an egress point \(rule "r" of zone "pay": 203.0.113.0\/24; .*\(at test\/pay\/r\)/],
    ['wildcards', ambient, (_, zone) => zone('pay').allow('w', { to: [Destination.domain('*.example.com')], ports: [Port.tcp(443)] }), /wildcard domains through an egress point/],
    ['all traffic', ambient, (_, zone) => zone('pay').allow('a', { to: [Destination.cidr('203.0.113.1')] }), /all traffic \(rule "a" of zone "pay"/],
    ['udp', ambient, (_, zone) => zone('pay').allow('u', { to: [Destination.cidr('203.0.113.1')], ports: [Port.udp(53)] }), /ports other than single TCP ports/],
    ['sni outside', ambient, (_, zone) => zone('pay').allow('s', { to: [Destination.domain('a.example.com')], ports: [Port.tcp(443)], http: HttpMatch.tls({ sniHosts: ['b.example.com'] }) }),
      /server names outside the rule's domains \(rule "s" of zone "pay": b.example.com\)/],
    ['one port two ways', ambient, (_, zone) => {
      const z = zone('pay');
      z.allow('h', { to: [Destination.domain('a.example.com')], ports: [Port.tcp(443)], http: HttpMatch.http() });
      z.allow('t', { to: [Destination.domain('a.example.com')], ports: [Port.tcp(443)], http: HttpMatch.tls() });
    }, /one port used two ways \(a.example.com port 443: HTTP for rule "h" of zone "pay", TLS for rule "t" of zone "pay"\) \(at test\/pay\/h and test\/pay\/t\)/],
    ['sidecar TCP', Backend.istio({ mode: IstioMode.SIDECAR }), (_, zone) => zone('pay').allow('t', { to: [Destination.domain('a.example.com')], ports: [Port.tcp(443)] }),
      /TCP rules in sidecar mode .*hint: IstioMode.AMBIENT/],
    ['a NAT pool', ambient, (chart, zone) => zone('pay', { natPools: [new NatPool(chart, 'pool', { cidr: '10.244.0.0/16' })] }), /a gateway or NAT pools for a mesh zone/],
  ])('%s', (_, mesh, build, message) => {
    expect(synthMeshError(mesh, build, _ === 'a NAT pool' ? Backend.CALICO : Backend.CILIUM)).toMatch(message);
  });
});

test('a mesh zone with a pod selector names its service accounts: the mesh allows those, not the whole namespace', () => {
  const objects = synthMesh(Backend.istio(), (_, zone) => zone('pay', { podSelector: Selector.parse('app == "api"'), serviceAccounts: ['pay/api', 'pay/api-worker'] })
    .allow('charges', { to: [Destination.cidr('203.0.113.10')], ports: [Port.tcp(80)], http: charges }));
  expect(find(objects, 'AuthorizationPolicy', 'address-203-0-113-10').spec.rules[0].from).toEqual([{ source: { serviceAccounts: ['pay/api', 'pay/api-worker'] } }]);
  expect(synthMeshError(Backend.istio(), (_, zone) => zone('pay', { serviceAccounts: ['shop/api'] })))
    .toMatch(/serviceAccounts\[0\] "shop\/api" is not in the zone's namespaces \(pay\) \(at test\/pay\)/);
  expect(synthMeshError(Backend.istio(), (_, zone) => zone('pay', { serviceAccounts: ['api'] }))).toMatch(/serviceAccounts\[0\] "api" is not "namespace\/name"/);
});

test('sidecar mode without a destination: the Sidecars only (Istio\'s validation rejects a Gateway server without hosts)', () => {
  const objects = synthMesh(Backend.istio({ mode: IstioMode.SIDECAR }), (_, zone) => zone('pay'));
  expect(objects.filter(o => /istio\.io/.test(o.apiVersion)).map(o => o.kind)).toEqual(['Sidecar']);
});
