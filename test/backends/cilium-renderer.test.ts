import { documentModel, ofKind, renderDocument, synth, synthError, zoneModel } from './render-helpers';
import { validateObject } from './validate-objects';
import { Backend } from '../../src/backends/backend';
import { ClusterNetwork } from '../../src/constructs/cluster-network';
import { Destination } from '../../src/constructs/destination';
import { DestinationSet } from '../../src/constructs/destination-set';
import { EgressZone } from '../../src/constructs/egress-zone';
import { NatPool } from '../../src/constructs/nat-pool';
import { Port } from '../../src/model/port';
import { Protocol } from '../../src/model/protocol';
import { Selector } from '../../src/model/selector';
import { describeWithCiliumCrds } from '../support/cilium-schema';

const CCNP = 'CiliumClusterwideNetworkPolicy';
const CEGP = 'CiliumEgressGatewayPolicy';

function estate(chart: any): void {
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
  const apis = new DestinationSet(chart, 'apis', { cidrs: ['10.0.0.0/8', '203.0.113.0/24'], domains: ['api.example.com', '*.storage.example.net'] });
  const zone = new EgressZone(chart, 'web', { namespaces: ['shop'], podSelector: Selector.parse('app == "web"'), allowInCluster: true });
  zone.allow('apis', { to: [Destination.set(apis)], ports: [Port.tcp(443), Port.tcpRange(8000, 8080), Port.icmp({ type: 8 })] });
}

describe('Cilium backend', () => {
  test('a zone with addresses and domain names becomes one clusterwide policy', () => {
    const [policy] = ofKind(synth(Backend.CILIUM, estate), CCNP);
    expect(policy.metadata.name).toBe('egress-web');
    const spec = policy.spec;
    expect(spec.endpointSelector).toEqual({ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } });
    expect(spec.enableDefaultDeny).toEqual({ egress: true, ingress: false });
    // DNS goes to kube-dns with the DNS proxy on, which toFQDNs needs to learn addresses.
    expect(spec.egress[0]).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
    });
    expect(spec.egress[1]).toEqual({ toEntities: ['cluster'] });
    // The pod and service ranges inside 10.0.0.0/8 are excepted: an external prefix must not allow in-cluster traffic.
    const cidrSet = [{ cidr: '10.0.0.0/8', except: ['10.244.0.0/16', '10.96.0.0/12'] }, { cidr: '203.0.113.0/24' }];
    const ports = [{ ports: [{ port: '443', protocol: 'TCP' }, { port: '8000', endPort: 8080, protocol: 'TCP' }] }];
    const fqdns = [{ matchPattern: '*.storage.example.net' }, { matchName: 'api.example.com' }];
    expect(spec.egress.slice(2)).toEqual([
      { toCIDRSet: cidrSet, toPorts: ports },
      { toCIDRSet: cidrSet, icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
      { toFQDNs: fqdns, toPorts: ports },
      { toFQDNs: fqdns, icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
    ]);
    // A world deny would also deny the addresses learnt for domain names, so there is none.
    expect(spec.egressDeny).toBeUndefined();
  });

  test('without domain names, a world deny keeps other policies from widening the zone', () => {
    const objects = synth(Backend.CILIUM, chart => {
      new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], nodeCidrs: ['192.0.2.0/24'], dns: { cidrs: ['169.254.20.10/32'] } });
      new EgressZone(chart, 'batch', { namespaces: ['batch'] }).allow('s3', { to: [Destination.cidrs(['198.51.100.0/24', '2001:db8::/32'])], ports: [Port.tcp(443)] });
    });
    const spec = ofKind(objects, CCNP)[0].spec;
    expect(spec.egressDeny).toEqual([
      { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.20.10/32', '198.51.100.0/24', '10.244.0.0/16', '192.0.2.0/24'] }] },
      { toCIDRSet: [{ cidr: '::/0', except: ['2001:db8::/32'] }] },
    ]);
    // No domains: no DNS proxy; the extra DNS address is allowed on the DNS ports.
    expect(spec.egress[0].toPorts[0].rules).toBeUndefined();
    expect(spec.egress[1]).toEqual({ toCIDRSet: [{ cidr: '169.254.20.10/32' }], toPorts: spec.egress[0].toPorts });
  });

  test('namespaces by name and by label become two rule sets (their union)', () => {
    const objects = synth(Backend.CILIUM, chart => {
      new EgressZone(chart, 'teams', { namespaces: ['a', 'b'], namespaceSelector: Selector.parse('team == "blue"'), podSelector: Selector.parse('has(app)') });
    });
    const policy = ofKind(objects, CCNP)[0];
    expect(policy.spec).toBeUndefined();
    expect(policy.specs.map((s: any) => s.endpointSelector)).toEqual([
      { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['a', 'b'] }, { key: 'app', operator: 'Exists' }] },
      { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'blue' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    ]);
  });

  test('rules without ports allow every port; whole protocols use port 0', () => {
    const objects = synth(Backend.CILIUM, chart => {
      const z = new EgressZone(chart, 'z', { namespaces: ['z'] });
      z.allow('any', { to: [Destination.cidr('198.51.100.7')] });
      z.allow('udp', { to: [Destination.cidr('198.51.100.8')], ports: [Port.allUdp(), Port.named('metrics')] });
    });
    const egress = ofKind(objects, CCNP)[0].spec.egress;
    expect(egress).toContainEqual({ toCIDRSet: [{ cidr: '198.51.100.7/32' }] });
    expect(egress).toContainEqual({ toCIDRSet: [{ cidr: '198.51.100.8/32' }], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }, { port: '0', protocol: 'UDP' }] }] });
  });

  test.each([
    ['NAT pools', (chart: any) => {
      const pool = new NatPool(chart, 'pool', { cidr: '10.250.0.0/24', natOutgoing: false });
      new EgressZone(chart, 'z', { namespaces: ['z'], natPools: [pool] });
    }, /backend "cilium" cannot express NAT pools \(pool "pool" 10\.250\.0\.0\/24.*\(at test\/pool\)/],
    ['policy tiers', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], tier: 'platform' }),
      /backend "cilium" cannot express policy tiers \(zone "z" is in tier "platform"\) \(at test\/z\)/],
    ['selectors with contains', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], podSelector: Selector.parse('app contains "web"') }),
      /backend "cilium" cannot express selector "app contains "web"" \(pod selector of zone "z"\): "contains".* \(at test\/z\)/],
    ['|| across keys', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], podSelector: Selector.parse('a == "x" || b == "y"') }),
      /backend "cilium" cannot express selector .*"\|\|" is only expressible between values of one label \(as "in"\) \(at test\/z\)/],
    ['other protocols', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('gre', { to: [Destination.cidr('198.51.100.1')], ports: [Port.allOf(Protocol.of(47))] }),
      /backend "cilium" cannot express protocol 47 \(rule "gre" of zone "z".*\(at test\/z\/gre\)/],
    ['ICMP codes', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('ping', { to: [Destination.cidr('198.51.100.1')], ports: [Port.icmp({ type: 3, code: 4 })] }),
      /backend "cilium" cannot express ICMP codes .*\(at test\/z\/ping\)/],
    ['every ICMP type', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('icmp', { to: [Destination.cidr('198.51.100.1')], ports: [Port.icmp()] }),
      /backend "cilium" cannot express every ICMP type .*\(at test\/z\/icmp\)/],
  ])('%s are a synth-time error naming backend, feature and path', (_name, build, message) => {
    expect(synthError(Backend.CILIUM, build)).toMatch(message);
  });

  test('every problem is reported at once', () => {
    const message = synthError(Backend.CILIUM, chart => {
      new EgressZone(chart, 'a', { namespaces: ['a'], tier: 'x' });
      new EgressZone(chart, 'b', { namespaces: ['b'], podSelector: Selector.parse('app starts with "x"') });
    });
    expect(message).toMatch(/2 problems/);
    expect(message).toMatch(/at test\/a/);
    expect(message).toMatch(/at test\/b/);
  });
});

describe('Cilium egress gateways (model level)', () => {
  const gateway = { name: 'gw', path: 'app/gw', namespace: 'egress', egressCidr: '192.0.2.8/29', egressIps: ['192.0.2.9'], replicas: 1, nodeSelector: 'egress-node == "true"' };
  const other = { ...gateway, name: 'partner-gw', path: 'app/partner-gw', egressIps: ['192.0.2.10'], nodeSelector: 'role in {"partner", "edge"}' };
  const sets = [
    { name: 'corp', path: 'app/corp', cidrs: [{ cidr: '172.16.0.0/12', ipVersion: 4, descriptions: [] }], domains: [], labels: {} },
    { name: 'partner', path: 'app/partner', cidrs: [{ cidr: '198.51.100.0/24', ipVersion: 4, descriptions: [] }], domains: [], labels: {} },
  ];
  const rule = (name: string, over: any) => ({ name, path: `app/z/${name}`, destinationSets: [name], ports: [], bypassGateway: false, ...over });

  test('the zone leaves through its gateway; bypassing rules are excluded; a rule with its own gateway gets a policy', () => {
    const doc = documentModel({
      zones: [zoneModel('z', 'cilium', {
        members: { namespaces: ['z'], podSelector: 'app == "x"' },
        rules: [rule('corp', { bypassGateway: true }), rule('partner', { gateway: 'partner-gw' })],
        exit: { mode: 'gateway' as any, natPools: [], gateway: 'gw', failOpen: false },
      })],
      destinationSets: sets,
      gateways: [gateway, other],
    });
    const { problems, objects } = renderDocument(doc, 'cilium');
    expect(problems).toEqual([]);
    const policies = ofKind(objects, CEGP);
    expect(policies.map(p => p.metadata.name)).toEqual(['egress-z', 'egress-z-partner']);
    expect(policies[0].spec).toEqual({
      selectors: [{ podSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'z', 'app': 'x' } } }],
      destinationCIDRs: ['0.0.0.0/0'],
      excludedCIDRs: ['10.244.0.0/16', '10.96.0.0/12', '172.16.0.0/12'],
      egressGateway: { nodeSelector: { matchLabels: { 'egress-node': 'true' } }, egressIP: '192.0.2.9' },
    });
    expect(policies[1].spec).toEqual({
      selectors: policies[0].spec.selectors,
      destinationCIDRs: ['198.51.100.0/24'],
      egressGateway: { nodeSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['edge', 'partner'] }] }, egressIP: '192.0.2.10' },
    });
  });

  test.each([
    ['a Calico Enterprise gateway', { implementation: 'calico-enterprise' }, {}, /cannot express Calico Enterprise gateways \(gateway "gw", used at app\/z\) \(at app\/gw\)/],
    ['a gateway without nodes', { nodeSelector: undefined }, {}, /cannot express gateways without gateway nodes .*\(at app\/gw\)/],
    ['several egress IPs', { egressIps: ['192.0.2.9', '192.0.2.10'] }, {}, /cannot express gateways with 2 egress IPs .*\(at app\/gw\)/],
    ['fail-open', {}, { failOpen: true }, /cannot express fail-open gateways \(zone "z".*\(at app\/z\)/],
  ])('%s is an error', (_name, gwOver, exitOver, message) => {
    const doc = documentModel({
      zones: [zoneModel('z', 'cilium', { exit: { mode: 'gateway' as any, natPools: [], gateway: 'gw', failOpen: false, ...exitOver } })],
      gateways: [{ ...gateway, ...gwOver }],
    });
    const { problems } = renderDocument(doc, 'cilium');
    expect(problems.join('\n')).toMatch(/backend "cilium"/);
    expect(problems.join('\n')).toMatch(message);
  });
});

describeWithCiliumCrds('Cilium objects validate against the reference CRDs', () => {
  test('policies with domains, ports, ICMP, in-cluster and several rule sets', () => {
    const objects = [
      ...synth(Backend.CILIUM, estate),
      ...synth(Backend.CILIUM, chart => {
        new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], dns: { cidrs: ['169.254.20.10/32'] } });
        new EgressZone(chart, 'teams', { namespaces: ['a', 'b'], namespaceSelector: Selector.parse('team == "blue"') })
          .allow('v6', { to: [Destination.cidrs(['2001:db8::/32'])], ports: [Port.icmpv6({ type: 128 }), Port.sctp(9)] });
      }),
    ];
    expect(ofKind(objects, CCNP).length).toBe(2);
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  test('egress gateway policies', () => {
    const doc = documentModel({
      zones: [zoneModel('z', 'cilium', { exit: { mode: 'gateway' as any, natPools: [], gateway: 'gw', failOpen: false } })],
      gateways: [{ name: 'gw', path: 'app/gw', namespace: 'egress', egressCidr: '192.0.2.8/29', egressIps: ['192.0.2.9'], replicas: 1, nodeSelector: 'has(egress)' }],
    });
    const { objects } = renderDocument(doc, 'cilium');
    expect(ofKind(objects, CEGP).length).toBe(1);
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  test('the validator catches a wrong object (so passing means something)', () => {
    const [policy] = ofKind(synth(Backend.CILIUM, estate), CCNP);
    policy.spec.egress[2].toCIDRSet[0].exceptions = ['10.1.0.0/16'];
    expect(validateObject(policy).join('\n')).toMatch(/must NOT have additional properties "exceptions"/);
  });
});
