import { renderDocument, synthError, zoneModel } from './render-helpers';
import { Backend, Destination, EgressZone, HttpMatch, HttpPath, IstioMode, Port } from '../../src';
import { networkView } from '../../src/backends/mesh-egress-zones';
import { EgressModelDocument } from '../../src/model/egress-model-document';

const NETWORK = [Backend.CALICO, Backend.CALICO_ENTERPRISE, Backend.CILIUM, Backend.KUBERNETES];
const charges = HttpMatch.http({ methods: ['GET'], paths: [HttpPath.exact('/v1/charges')] });

describe('a rule with an HTTP match', () => {
  test.each(NETWORK.map(b => [b.name, b] as const))('without a mesh, %s rejects it naming the rule, the match and the fix', (name, backend) => {
    const error = synthError(backend, chart => {
      new EgressZone(chart, 'pay', { namespaces: ['pay'] }).allow('charges', { to: [Destination.cidr('203.0.113.10')], ports: [Port.tcp(443)], http: charges });
    });
    expect(error).toContain(`backend "${name}" cannot express HTTP matches (rule "charges" of zone "pay", field http: http GET /v1/charges; a network policy sees addresses and ports only) (at test/pay/charges); hint: add a mesh to the zone (mesh: Backend.istio())`);
  });

  test.each([
    [{ ports: undefined }, /http "http GET \/v1\/charges" needs TCP ports: an HTTP or TLS match on all traffic has no port to listen on \(at test\/pay\/charges\); hint: ports: \[Port.tcp\(443\)\]/],
    [{ ports: [Port.udp(443)] }, /needs single TCP ports, and the rule has udp\/443/],
    [{ ports: [Port.tcpRange(8000, 8080)] }, /needs single TCP ports, and the rule has tcp\/8000-8080/],
    // An ICMP type has no port: the rule's port as Port writes it, not "every ICMP port".
    [{ ports: [Port.tcp(443), Port.icmp({ type: 8 })] }, /needs single TCP ports, and the rule has icmp\/8 \(at/],
    [{ ports: [Port.tcp(443), Port.tcp(8443)], http: HttpMatch.originateTls() }, /originates TLS to one port, and the rule has 2/],
    [{ ports: [Port.tcp(80)], http: HttpMatch.originateTls() }, /sends plain HTTP to port 80, the rule's TLS port itself/],
  ])('bad ports are an error at declaration %#', (over, message) => {
    expect(synthError(Backend.CALICO, chart => {
      new EgressZone(chart, 'pay', { namespaces: ['pay'] }).allow('charges', { to: [Destination.cidr('203.0.113.10')], http: charges, ...over } as any);
    })).toMatch(message);
  });

  test('a mesh backend is not a network backend, and the other way round', () => {
    expect(synthError(Backend.CALICO, chart => new EgressZone(chart, 'pay', { namespaces: ['pay'], backend: Backend.istio() })))
      .toMatch(/backend "istio" is a mesh backend: .* \(at test\/pay\); hint: backend: Backend.CALICO .*mesh: Backend.istio\(\)/);
    expect(synthError(Backend.CALICO, chart => new EgressZone(chart, 'pay', { namespaces: ['pay'], mesh: Backend.CILIUM })))
      .toMatch(/mesh "cilium" is a network backend, not a mesh backend \(at test\/pay\)/);
    expect(Backend.istio().isMesh).toBe(true);
    expect(Backend.CALICO.isMesh).toBe(false);
    expect(Backend.of('istio')).toBe(Backend.istio());
    expect(() => Backend.istio({ mode: IstioMode.AMBIENT, gatewayLabels: { istio: 'egressgateway' } })).toThrow(/gatewayLabels .* is for sidecar mode/);
  });
});

describe('the network view of mesh zones', () => {
  function doc(): EgressModelDocument {
    const mesh = { backend: 'istio', mode: 'ambient', namespace: 'istio-egress', egressPoint: 'egress-waypoint', egressPointSelector: 'gateway.networking.k8s.io/gateway-name == "egress-waypoint"' };
    const rule = { name: 'charges', path: 'app/pay/charges', destinationSets: ['pay-charges'], ports: [Port.tcp(443).toModel()], bypassGateway: false, http: charges.toModel() };
    return {
      version: 1,
      clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'],
      nodeCidrs: [],
      zones: [
        zoneModel('pay', 'kubernetes', { inCluster: 'allow', mesh, rules: [rule] }),
        zoneModel('shop', 'kubernetes', { inCluster: 'allow', mesh, rules: [{ ...rule, name: 'pay', path: 'app/shop/pay' }] }),
        zoneModel('plain', 'kubernetes', { rules: [{ ...rule, name: 'direct', path: 'app/plain/direct', http: undefined }] }),
      ],
      destinationSets: [{ name: 'pay-charges', path: 'app/pay/charges/Destinations', cidrs: [{ cidr: '203.0.113.10/32', ipVersion: 4, descriptions: [] }], domains: [], labels: {}, inline: true }],
      natPools: [],
      gateways: [],
    };
  }

  test('mesh zones lose their external rules; the egress point\'s pods get them once, at layer 4; other zones are untouched', () => {
    const view = networkView(doc());
    expect(view.problems).toEqual([]);
    const byName = new Map(view.document.zones.map(z => [z.name, z]));
    expect(byName.get('pay')!.rules).toEqual([]);
    expect(byName.get('shop')!.rules).toEqual([]);
    expect(byName.get('plain')!.rules.map(r => r.name)).toEqual(['direct']);
    const point = byName.get('mesh-egress-waypoint')!;
    expect(point.members).toEqual({ namespaces: ['istio-egress'], podSelector: 'gateway.networking.k8s.io/gateway-name == "egress-waypoint"' });
    // shop's rule has the same addresses and ports as pay's: one rule.
    expect(point.rules).toEqual([{ name: 'pay-charges', path: 'app/pay/charges', destinationSets: ['pay-charges'], ports: [Port.tcp(443).toModel()], bypassGateway: false }]);

    // Rendered by plain NetworkPolicy: the zone's pods have no ipBlock at all; the waypoint's pods have the address on 443.
    const { problems, objects } = renderDocument(view.document, 'kubernetes');
    expect(problems).toEqual([]);
    const policy = (ns: string, name: string) => objects.find(o => o.metadata.namespace === ns && o.metadata.name === name);
    const external = (p: any) => p.spec.egress.flatMap((r: any) => (r.to ?? []).filter((t: any) => t.ipBlock && t.ipBlock.cidr === '203.0.113.10/32'));
    expect(external(policy('pay', 'egress-pay'))).toEqual([]);
    const waypoint = policy('istio-egress', 'egress-mesh-egress-waypoint');
    expect(waypoint.spec.podSelector).toEqual({ matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'egress-waypoint' } });
    expect(external(waypoint)).toHaveLength(1);
  });

  test('zones of one egress point on two network backends, and a zone that takes the egress point\'s name, are problems', () => {
    const d = doc();
    const mixed = networkView({ ...d, zones: d.zones.map(z => (z.name === 'shop' ? { ...z, backend: 'calico' } : z)) });
    expect(mixed.problems).toEqual([expect.stringMatching(/zones sharing the istio egress point "istio-egress\/egress-waypoint" use different network backends \(calico, kubernetes\).*\(at app\/pay and app\/shop\)/)]);
    const taken = networkView({ ...d, zones: [...d.zones, zoneModel('mesh-egress-waypoint', 'kubernetes')] });
    expect(taken.problems).toEqual([expect.stringMatching(/zone name "mesh-egress-waypoint" is taken/)]);
  });
});

