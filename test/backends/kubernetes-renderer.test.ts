import { ofKind, synth, synthError } from './render-helpers';
import { validateObject } from './validate-objects';
import { Backend } from '../../src/backends/backend';
import { CalicoEnterpriseGateway } from '../../src/constructs/calico-enterprise-gateway';
import { ClusterNetwork } from '../../src/constructs/cluster-network';
import { Destination } from '../../src/constructs/destination';
import { EgressZone } from '../../src/constructs/egress-zone';
import { NatPool } from '../../src/constructs/nat-pool';
import { Port } from '../../src/model/port';
import { Selector } from '../../src/model/selector';

function estate(chart: any): void {
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], dns: { cidrs: ['169.254.20.10/32'] } });
  const zone = new EgressZone(chart, 'web', { namespaces: ['shop', 'shop-canary'], podSelector: Selector.parse('app == "web" && tier != "debug"'), allowInCluster: true });
  zone.allow('apis', { to: [Destination.cidrs(['10.0.0.0/8', '203.0.113.0/24'])], ports: [Port.tcp(443), Port.tcpRange(8000, 8080), Port.named('grpc'), Port.allUdp()] });
  zone.allow('anything', { to: [Destination.cidr('198.51.100.7')] });
}

describe('Kubernetes NetworkPolicy backend', () => {
  test('one egress-only NetworkPolicy per namespace of the zone', () => {
    const policies = ofKind(synth(Backend.KUBERNETES, estate), 'NetworkPolicy');
    expect(policies.map(p => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['shop/egress-web', 'shop-canary/egress-web']);
    const spec = policies[0].spec;
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.podSelector).toEqual({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['debug'] }] });
    expect(spec.egress[0]).toEqual({
      to: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
        { ipBlock: { cidr: '169.254.20.10/32' } },
      ],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    });
    expect(spec.egress[1]).toEqual({ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.244.0.0/16' } }, { ipBlock: { cidr: '10.96.0.0/12' } }] });
    expect(spec.egress[2]).toEqual({
      // Allowed minus the cluster ranges: an external prefix must not open in-cluster traffic by address.
      to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16', '10.96.0.0/12'] } }, { ipBlock: { cidr: '203.0.113.0/24' } }],
      ports: expect.arrayContaining([
        { protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8000, endPort: 8080 }, { protocol: 'TCP', port: 'grpc' }, { protocol: 'UDP' },
      ]),
    });
    expect(spec.egress[2].ports).toHaveLength(4);
    // No ports: every port of every protocol.
    expect(spec.egress[3]).toEqual({ to: [{ ipBlock: { cidr: '198.51.100.7/32' } }] });
  });

  test('a zone with DNS off allows nothing: selecting its pods for Egress is the default deny', () => {
    const [policy] = ofKind(synth(Backend.KUBERNETES, chart => new EgressZone(chart, 'locked', { namespaces: ['sandbox'], dns: { enabled: false } })), 'NetworkPolicy');
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [] });
  });

  test('every object has the NetworkPolicy API shape', () => {
    const objects = synth(Backend.KUBERNETES, estate);
    expect(objects.length).toBe(2);
    expect(objects.flatMap(validateObject)).toEqual([]);
    // The shape check is not vacuous.
    const broken = JSON.parse(JSON.stringify(objects[0]));
    broken.spec.egress[2].ports[0].protocol = 'ICMP';
    broken.spec.egress[2].to[0].ipBlock.except = ['192.168.0.0/16'];
    const problems = validateObject(broken).join('\n');
    expect(problems).toMatch(/protocol: must be equal to one of the allowed values/);
    expect(problems).toMatch(/except 192\.168\.0\.0\/16 is not inside 10\.0\.0\.0\/8/);
  });

  test.each([
    ['domain names', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('saas', { to: [Destination.domain('api.example.com')] }),
      /backend "kubernetes" cannot express domain names \(rule "saas": api\.example\.com; NetworkPolicy matches addresses only\) \(at test\/z\/saas\)/],
    ['ICMP', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('ping', { to: [Destination.cidr('198.51.100.1')], ports: [Port.icmp({ type: 8 })] }),
      /backend "kubernetes" cannot express protocol ICMP \(rule "ping" of zone "z": "icmp\/8".*\(at test\/z\/ping\)/],
    ['namespaces chosen by label', (chart: any) => new EgressZone(chart, 'z', { namespaceSelector: Selector.parse('team == "a"') }),
      /backend "kubernetes" cannot express namespaces chosen by label \(zone "z".*\(at test\/z\); hint: list the namespaces by name/],
    ['policy tiers', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], tier: 'platform' }),
      /backend "kubernetes" cannot express policy tiers \(zone "z" is in tier "platform"\) \(at test\/z\)/],
    ['NAT pools', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], natPools: [new NatPool(chart, 'pool', { cidr: '10.250.0.0/24' })] }),
      /backend "kubernetes" cannot express NAT pools \(pool "pool" 10\.250\.0\.0\/24.*\(at test\/pool\)/],
    ['egress gateways', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }) }),
      /backend "kubernetes" cannot express egress gateways \(zone "z" leaves through gateway "gw"; NetworkPolicy filters, it cannot steer traffic\) \(at test\/z\)/],
    ['selectors with starts with', (chart: any) => new EgressZone(chart, 'z', { namespaces: ['z'], podSelector: Selector.parse('app starts with "w"') }),
      /backend "kubernetes" cannot express selector "app starts with "w"" \(pod selector of zone "z"\): "starts with".*\(at test\/z\)/],
  ])('%s are a synth-time error naming backend, feature and path', (_name, build, message) => {
    expect(synthError(Backend.KUBERNETES, build)).toMatch(message);
  });
});
