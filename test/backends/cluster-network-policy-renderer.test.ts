import { Chart, Testing } from 'cdk8s';
import { ofKind, synth, synthError } from './render-helpers';
import { validateObject } from './validate-objects';
import { CanReach, EgressModel, InClusterTraffic } from '../../src';
import { Backend } from '../../src/backends/backend';
import { ClusterNetwork } from '../../src/constructs/cluster-network';
import { Destination } from '../../src/constructs/destination';
import { EgressGateway } from '../../src/constructs/egress-gateway';
import { EgressZone } from '../../src/constructs/egress-zone';
import { NatPool } from '../../src/constructs/nat-pool';
import { Enforcement } from '../../src/model/enforcement';
import { Port } from '../../src/model/port';
import { Selector } from '../../src/model/selector';
import { validateAgainstNetworkPolicyApiCrd } from '../support/network-policy-api-schema';
import { expectWarnings } from '../support/warnings';

const CNP = Backend.CLUSTER_NETWORK_POLICY;
const IN_CLUSTER = { namespaces: {} };

function estate(chart: any): void {
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'], apiServerAddresses: ['192.0.2.2'] });
  new EgressZone(chart, 'web', { namespaces: ['shop', 'shop-canary'], podSelector: Selector.parse('app == "web" && tier != "debug"'), allowApiServer: true })
    .allow('apis', { to: [Destination.cidrs(['10.0.0.0/8', '203.0.113.0/24', '2001:db8::/32'])], ports: [Port.tcp(443), Port.tcpRange(8000, 8080), Port.allUdp(), Port.sctp(9899)] });
  new EgressZone(chart, 'batch', { namespaces: ['batch'], inCluster: InClusterTraffic.ALLOW, order: 50 })
    .allow('anything', { to: [Destination.cidr('198.51.100.7')] });
  new EgressZone(chart, 'sandbox', { namespaces: ['sandbox'], inCluster: InClusterTraffic.DENY });
}

describe('ClusterNetworkPolicy backend', () => {
  const objects = () => ofKind(synth(CNP, estate), 'ClusterNetworkPolicy');

  test('one Admin policy per zone, priorities in the zones\' order (order, then name), a Baseline one for zones that pass', () => {
    const policies = objects();
    expect(policies.map(p => [p.apiVersion, p.metadata.name, p.spec.tier, p.spec.priority])).toEqual([
      ['policy.networking.k8s.io/v1beta1', 'egress-web', 'Admin', 102],
      ['policy.networking.k8s.io/v1beta1', 'egress-web-baseline', 'Baseline', 102],
      ['policy.networking.k8s.io/v1beta1', 'egress-batch', 'Admin', 100],
      ['policy.networking.k8s.io/v1beta1', 'egress-sandbox', 'Admin', 101],
    ]);
    expect(policies.every(p => p.metadata.namespace === undefined && p.metadata.labels['egress.cdk8s.io/zone'])).toBe(true);
    expect(policies[0].spec.subject).toEqual({
      pods: {
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'shop-canary'] }] },
        podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['debug'] }] },
      },
    });
    // every pod of the namespace: the namespaces subject
    expect(policies[2].spec.subject).toEqual({ namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['batch'] }] } });
  });

  test('rules in evaluation order: DNS, API server, in-cluster, the zone\'s rules, then the default deny', () => {
    const [web, baseline, batch, sandbox] = objects();
    const inCluster = [IN_CLUSTER, { networks: ['10.244.0.0/16', '10.96.0.0/12', '192.0.2.0/26'] }];
    expect(web.spec.egress).toEqual([
      {
        name: 'dns',
        action: 'Accept',
        to: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }],
        protocols: [{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { number: 53 } } }],
      },
      { name: 'api-server', action: 'Accept', to: [{ networks: ['192.0.2.2/32'] }], protocols: [{ tcp: { destinationPort: { number: 6443 } } }] },
      { name: 'in-cluster', action: 'Pass', to: inCluster },
      {
        name: 'apis',
        action: 'Accept',
        // 10.0.0.0/8 covers cluster ranges: the in-cluster rule before it decides them, so no except is needed
        to: [{ networks: ['10.0.0.0/8', '203.0.113.0/24', '2001:db8::/32'] }],
        // the model's canonical port order; a whole protocol is the range 1-65535 (a port entry needs a port)
        protocols: [
          { sctp: { destinationPort: { number: 9899 } } },
          { tcp: { destinationPort: { number: 443 } } },
          { tcp: { destinationPort: { range: { start: 8000, end: 8080 } } } },
          { udp: { destinationPort: { range: { start: 1, end: 65535 } } } },
        ],
      },
      { name: 'default-deny', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] },
    ]);
    expect(baseline.spec.egress).toEqual([{ name: 'in-cluster', action: 'Deny', to: inCluster }]);
    expect(batch.spec.egress.map((r: any) => [r.name, r.action])).toEqual([['dns', 'Accept'], ['in-cluster', 'Accept'], ['anything', 'Accept'], ['default-deny', 'Deny']]);
    // every protocol: no protocols at all
    expect(batch.spec.egress[2]).toEqual({ name: 'anything', action: 'Accept', to: [{ networks: ['198.51.100.7/32'] }] });
    expect(sandbox.spec.egress.map((r: any) => [r.name, r.action])).toEqual([['dns', 'Accept'], ['in-cluster', 'Deny'], ['default-deny', 'Deny']]);
  });

  test('every object passes the release\'s CRD schema; the schema check itself rejects what the CRD does not allow', () => {
    expect(synth(CNP, estate).flatMap(validateObject)).toEqual([]);
    const [web] = objects();
    expect(validateAgainstNetworkPolicyApiCrd({ ...web, spec: { ...web.spec, priority: 1001 } })).toEqual([expect.stringMatching(/^\/spec\/priority: must be <= 1000/)]);
    expect(validateAgainstNetworkPolicyApiCrd({ ...web, spec: { ...web.spec, egress: [{ ...web.spec.egress[0], action: 'Allow' }] } })).toEqual([expect.stringMatching(/action: must be equal to one of the allowed values/)]);
    expect(validateAgainstNetworkPolicyApiCrd({ ...web, spec: { ...web.spec, egress: [{ ...web.spec.egress[0], to: [{ networks: ['10.0.0.0/8'], namespaces: {} }] }] } }))
      .toEqual([expect.stringMatching(/must NOT have more than 1 properties/)]);
  });

  test('namespaces by name and by label: one policy each, same priority and rules', () => {
    const policies = ofKind(synth(CNP, chart => new EgressZone(chart, 'teams', { namespaces: ['ops'], namespaceSelector: Selector.parse('team == "a"'), inCluster: InClusterTraffic.ALLOW })), 'ClusterNetworkPolicy');
    expect(policies.map(p => p.metadata.name)).toEqual(['egress-teams', 'egress-teams-by-label']);
    expect(policies[1].spec.subject).toEqual({ namespaces: { matchLabels: { team: 'a' } } });
    expect(policies[1].spec.egress).toEqual(policies[0].spec.egress);
    expect(policies[1].spec.priority).toBe(policies[0].spec.priority);
  });

  test('domain names: experimental domainNames, with a warning naming the rule', () => {
    let objs: any[] = [];
    expectWarnings([/^egress backends test\/z\/saas: rule "saas" of zone "z" matches domain names with ClusterNetworkPolicy's domainNames, which sigs.k8s.io\/network-policy-api v0.3.0 marks experimental: only the experimental channel's CRD has the field \(the standard CRD rejects it\)/], () => {
      objs = synth(CNP, chart => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('saas', { to: [Destination.domains(['api.example.com', '*.example.net']), Destination.cidr('203.0.113.9')], ports: [Port.tcp(443)] }));
    });
    const rule = ofKind(objs, 'ClusterNetworkPolicy')[0].spec.egress.find((r: any) => r.name === 'saas');
    expect(rule.to).toEqual([{ networks: ['203.0.113.9/32'] }, { domainNames: ['*.example.net', 'api.example.com'] }]);
    expect(objs.flatMap(validateObject)).toEqual([]);
  });

  test.each([
    ['ICMP', (c: any) => new EgressZone(c, 'z', { namespaces: ['z'] }).allow('ping', { to: [Destination.cidr('198.51.100.1')], ports: [Port.icmp({ type: 8 })] }),
      /backend "cluster-network-policy" cannot express protocol ICMP \(rule "ping" of zone "z": "icmp\/8"; ClusterNetworkPolicy matches TCP, UDP and SCTP ports, or every protocol\) \(at test\/z\/ping\); hint: allow every protocol/],
    ['named ports', (c: any) => new EgressZone(c, 'z', { namespaces: ['z'] }).allow('grpc', { to: [Destination.cidr('198.51.100.1')], ports: [Port.named('grpc')] }),
      /cannot express named port "tcp\/name:grpc" .*destinationNamedPort is experimental .*\(at test\/z\/grpc\)/],
    ['a one-label domain', (c: any) => new EgressZone(c, 'z', { namespaces: ['z'] }).allow('local', { to: [Destination.domain('intranet')] }),
      /cannot express domain name "intranet" .*two or more labels.*\(at test\/z\/local\)/],
    ['Calico tiers', (c: any) => new EgressZone(c, 'z', { namespaces: ['z'], tier: 'platform' }), /cannot express Calico tiers \(zone "z" is in tier "platform"; ClusterNetworkPolicy has two fixed tiers, Admin and Baseline\) \(at test\/z\)/],
    ['staged zones', (c: any) => new EgressZone(c, 'z', { namespaces: ['z'], enforcement: Enforcement.STAGED }), /cannot express a staged zone .*\(at test\/z\)/],
    ['NAT pools', (c: any) => {
      new ClusterNetwork(c, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
      new EgressZone(c, 'z', { namespaces: ['z'], natPools: [new NatPool(c, 'pool', { cidr: '10.250.0.0/24' })] });
    }, /cannot express NAT pools \(pool "pool" 10.250.0.0\/24.*\(at test\/pool\)/],
    ['gateways', (c: any) => new EgressZone(c, 'z', { namespaces: ['z'], gateway: new EgressGateway(c, 'gw', { namespace: 'egress', egressCidr: '192.0.2.64/29' }) }),
      /cannot express egress gateways \(zone "z" leaves through gateway "gw".*\(at test\/z\)/],
    ['more than 25 rules', (c: any) => {
      const z = new EgressZone(c, 'z', { namespaces: ['z'] });
      for (let i = 0; i < 23; i++) z.allow(`r${i}`, { to: [Destination.cidr(`203.0.113.${i}`)], ports: [Port.tcp(443)] });
    }, /cannot express more than 25 egress rules in one ClusterNetworkPolicy \(zone "z": 23 rules, plus DNS, in-cluster and the default deny\) \(at test\/z\)/],
  ])('%s: a synth-time error naming the construct path', (_what, build, message) => {
    expect(synthError(CNP, build)).toMatch(message);
  });

  test('can-reach names the backend\'s deny and its pass to NetworkPolicies', () => {
    const chart = new Chart(Testing.app(), 'test');
    Backend.setDefault(chart, CNP);
    estate(chart);
    const doc = EgressModel.of(chart);
    const denied = CanReach.evaluate(doc, { namespace: 'sandbox', podLabels: {}, ip: '203.0.113.1', protocol: 6, port: 443 });
    expect(denied).toMatchObject({ allowed: false, rule: 'default-deny-external' });
    expect(denied.reason).toMatch(/the zone's final Deny in the Admin tier, before any NetworkPolicy/);
    const passed = CanReach.evaluate(doc, { namespace: 'shop', podLabels: { app: 'web' }, ip: '10.244.3.4', protocol: 6, port: 5432 });
    expect(passed).toMatchObject({ allowed: false, rule: 'in-cluster-fallthrough' });
    expect(passed.reason).toMatch(/Baseline-tier Deny/);
  });
});
