import { Chart, Testing } from 'cdk8s';
import { ofKind, synth, synthError } from './render-helpers';
import { validateObject } from './validate-objects';
import { Backend } from '../../src/backends/backend';
import { CalicoEnterpriseGateway } from '../../src/constructs/calico-enterprise-gateway';
import { ClusterNetwork } from '../../src/constructs/cluster-network';
import { Destination } from '../../src/constructs/destination';
import { DestinationSet } from '../../src/constructs/destination-set';
import { EgressZone } from '../../src/constructs/egress-zone';
import { NatPool } from '../../src/constructs/nat-pool';
import { NamespaceAssignment } from '../../src/model/egress-model-document';
import { Port } from '../../src/model/port';
import { Selector } from '../../src/model/selector';
import { EgressModel } from '../../src/synth/egress-model';
import { describeWithCalicoCrds } from '../support/calico-schema';

function domains(chart: any): void {
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'] });
  const saas = new DestinationSet(chart, 'saas', { domains: ['api.example.com', '*.example.org'] });
  const mixed = new DestinationSet(chart, 'mixed', { namespace: 'shop', cidrs: ['203.0.113.0/24'], domains: ['cdn.example.net'] });
  const zone = new EgressZone(chart, 'shop', { namespaces: ['shop'] });
  zone.allow('saas', { to: [Destination.set(saas)], ports: [Port.tcp(443)] });
  zone.allow('mixed', { to: [Destination.set(mixed)], ports: [Port.tcp(443)] });
}

function gateways(chart: any): void {
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
  const gw = new CalicoEnterpriseGateway(chart, 'gw', {
    namespace: 'egress',
    egressCidr: '192.0.2.8/29',
    replicas: 2,
    nodeSelector: Selector.parse('egress == "true" && zone in {"a", "b"}'),
    icmpProbe: { targets: ['198.51.100.1'] },
    httpProbe: { urls: ['http://probe.example.com/health'], intervalSeconds: 20, timeoutSeconds: 60 },
  });
  const partner = new CalicoEnterpriseGateway(chart, 'partner-gw', { namespace: 'egress', egressCidr: '192.0.2.16/30' });
  const pool = new NatPool(chart, 'pool', { cidr: '10.250.0.0/24', assignment: NamespaceAssignment.NAMESPACE_ANNOTATION });
  const zone = new EgressZone(chart, 'batch', { namespaces: ['batch'], gateway: gw, natPools: [pool] });
  zone.allow('corp', { to: [Destination.cidr('172.16.0.0/12')], bypassGateway: true });
  zone.allow('partner', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)], via: partner });
}

describe('Calico Enterprise backend: domain names', () => {
  test('domains go into the network sets, and the zone policy allows those sets', () => {
    const objects = synth(Backend.CALICO_ENTERPRISE, domains);
    const [global] = ofKind(objects, 'GlobalNetworkSet');
    expect(global.metadata.name).toBe('saas');
    expect(global.spec).toEqual({ allowedEgressDomains: ['*.example.org', 'api.example.com'] });
    const [namespaced] = ofKind(objects, 'NetworkSet');
    expect(namespaced.metadata.namespace).toBe('shop');
    expect(namespaced.spec).toEqual({ nets: ['203.0.113.0/24'], allowedEgressDomains: ['cdn.example.net'] });
    const [policy] = ofKind(objects, 'GlobalNetworkPolicy');
    const allows = policy.spec.egress.filter((r: any) => r.metadata?.annotations?.['egress.cdk8s.io/rule'] === 'saas');
    // A set with domains only still gets its allow rule (open-source Calico would skip a set without addresses).
    expect(allows).toEqual([expect.objectContaining({ action: 'Allow', protocol: 'TCP', destination: expect.objectContaining({ selector: 'egress.cdk8s.io/destination-set == "saas"', ports: [443] }) })]);
  });

  test('open-source Calico without the node agent (no EgressGateway) rejects the same zones, naming them', () => {
    expect(synthError(Backend.CALICO, domains)).toMatch(/backend "calico" matches domain names through the cdk8s-egress node agent, which no EgressGateway of the app deploys \(rule "saas" of zone "shop": \*\.example\.org, api\.example\.com; rule "mixed" of zone "shop": cdn\.example\.net\) \(at test\/shop\/saas and test\/shop\/mixed\)/);
  });
});

describe('Calico Enterprise backend: its own egress gateway', () => {
  test('EgressGateway with replicas, pool, placement and failure-detection probes', () => {
    const objects = synth(Backend.CALICO_ENTERPRISE, gateways);
    const egw = ofKind(objects, 'EgressGateway').find(o => o.metadata.name === 'gw');
    expect(egw.apiVersion).toBe('operator.tigera.io/v1');
    expect(egw.metadata.namespace).toBe('egress');
    expect(egw.spec).toEqual({
      replicas: 2,
      ipPools: [{ name: 'egress-gateway-gw' }],
      logSeverity: 'Info',
      template: {
        metadata: { labels: { 'egress.cdk8s.io/gateway': 'gw' } },
        spec: {
          nodeSelector: { egress: 'true' },
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } },
        },
      },
      egressGatewayFailureDetection: {
        icmpProbe: { ips: ['198.51.100.1'], intervalSeconds: 5, timeoutSeconds: 15 },
        httpProbe: { urls: ['http://probe.example.com/health'], intervalSeconds: 20, timeoutSeconds: 60 },
      },
    });
    const pool = ofKind(objects, 'IPPool').find(o => o.metadata.name === 'egress-gateway-gw');
    // No ordinary pod may take a gateway address, and gateway traffic must not be NATed again.
    expect(pool.spec).toEqual(expect.objectContaining({ cidr: '192.0.2.8/29', blockSize: 29, natOutgoing: false, nodeSelector: '!all()' }));
  });

  test('one EgressGatewayPolicy per zone: cluster and bypass ranges direct, a rule through its own gateway, the rest through the zone\'s', () => {
    const objects = synth(Backend.CALICO_ENTERPRISE, gateways);
    const [policy] = ofKind(objects, 'EgressGatewayPolicy');
    expect(policy.metadata.name).toBe('egress-batch');
    const gw = (name: string) => ({ namespaceSelector: 'projectcalico.org/name == "egress"', selector: `egress.cdk8s.io/gateway == "${name}"` });
    expect(policy.spec.rules).toEqual([
      { description: 'in-cluster: no gateway', destination: { cidr: '10.244.0.0/16' } },
      { description: 'in-cluster: no gateway', destination: { cidr: '10.96.0.0/12' } },
      // a NAT pool outside podCidrs is in-cluster too (issue 14, item 4)
      { description: 'in-cluster: no gateway', destination: { cidr: '10.250.0.0/24' } },
      { description: 'corp: no gateway', destination: { cidr: '172.16.0.0/12' } },
      { description: 'partner: gateway partner-gw', destination: { cidr: '198.51.100.0/24' }, gateway: gw('partner-gw') },
      { description: 'zone batch: gateway gw', gateway: gw('gw') },
    ]);
    // One Namespace object carries both the pool annotation and the gateway policy annotation.
    const namespaces = ofKind(objects, 'Namespace').filter(n => n.metadata.name === 'batch');
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0].metadata.annotations).toEqual({
      'cni.projectcalico.org/ipv4pools': '["pool"]',
      'egress.projectcalico.org/egressGatewayPolicy': 'egress-batch',
    });
  });

  test.each([
    ['gateways for some pods of a namespace', (chart: any) => new EgressZone(chart, 'z', {
      namespaces: ['z'], podSelector: Selector.parse('app == "x"'), gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }),
    }), /backend "calico-enterprise" cannot express gateways for some pods of a namespace \(zone "z" selects pods "app == "x"".*\(at test\/z\)/],
    ['fail-open gateways', (chart: any) => new EgressZone(chart, 'z', {
      namespaces: ['z'], failOpen: true, gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }),
    }), /backend "calico-enterprise" cannot express fail-open gateways \(zone "z".*\(at test\/z\)/],
    ['gateways for namespaces chosen by label', (chart: any) => new EgressZone(chart, 'z', {
      namespaceSelector: Selector.parse('team == "a"'), gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }),
    }), /backend "calico-enterprise" cannot express gateways for namespaces chosen by label .*\(at test\/z\)/],
    ['domain names in gateway choices', (chart: any) => {
      const z = new EgressZone(chart, 'z', { namespaces: ['z'], gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }) });
      z.allow('direct', { to: [Destination.domain('intranet.example.com')], bypassGateway: true });
    }, /backend "calico-enterprise" cannot express domain names in gateway choices \(rule "direct".*\(at test\/z\/direct\)/],
    ['two gateway choices for one namespace', (chart: any) => {
      const gw = new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' });
      new EgressZone(chart, 'a', { namespaces: ['shared'], gateway: gw });
      new EgressZone(chart, 'b', { namespaces: ['shared'], gateway: gw });
    }, /backend "calico-enterprise" cannot express two gateway choices for one namespace \(namespace "shared" is in zones "a" and "b".*\(at test\/b\)/],
  ])('%s is a synth-time error', (_name, build, message) => {
    expect(synthError(Backend.CALICO_ENTERPRISE, build)).toMatch(message);
  });

  test('open-source Calico refuses a Calico Enterprise gateway instead of ignoring it', () => {
    expect(synthError(Backend.CALICO, chart => new EgressZone(chart, 'z', {
      namespaces: ['z'], gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }),
    }))).toMatch(/backend "calico" cannot express Calico Enterprise gateways \(gateway "gw", used by zone "z"\) \(at test\/z\)/);
  });

  test.each([
    [{ egressCidr: '192.0.2.0/23' }, /egressCidr "192\.0\.2\.0\/23" has 512 addresses; a gateway pool has at most 256 \(at test\/gw\)/],
    [{ egressCidr: '192.0.2.8/31', replicas: 3 }, /replicas "3" exceeds the 2 addresses of 192\.0\.2\.8\/31 \(at test\/gw\)/],
    [{ icmpProbe: { targets: ['198.51.100.1'], intervalSeconds: 10, timeoutSeconds: 10 } }, /icmpProbe\.timeoutSeconds "10" is not greater than intervalSeconds \(10\) \(at test\/gw\)/],
    [{ httpProbe: { urls: ['ftp://x'] } }, /httpProbe\.urls\[0\] "ftp:\/\/x" is not an http\(s\) URL/],
  ])('gateway props %j are rejected', (over, message) => {
    expect(() => synth(Backend.CALICO_ENTERPRISE, chart => new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/29', ...over }))).toThrow(message);
  });

  test('the model lists every gateway address, as the firewall sees them', () => {
    const chart = new Chart(Testing.app(), 'test');
    new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' });
    expect(EgressModel.of(chart).gateways[0]).toEqual(expect.objectContaining({
      implementation: 'calico-enterprise', egressIps: ['192.0.2.8', '192.0.2.9', '192.0.2.10', '192.0.2.11'], replicas: 1,
    }));
  });
});

describeWithCalicoCrds('Calico Enterprise objects validate (Calico CRDs plus the Enterprise fields)', () => {
  test('domain sets, policies, pools, gateways and gateway policies', () => {
    const objects = [...synth(Backend.CALICO_ENTERPRISE, domains), ...synth(Backend.CALICO_ENTERPRISE, gateways)];
    expect(new Set(objects.map(o => o.kind))).toEqual(new Set([
      'GlobalNetworkSet', 'NetworkSet', 'GlobalNetworkPolicy', 'IPPool', 'Namespace', 'EgressGateway', 'EgressGatewayPolicy',
    ]));
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  test('the validators catch wrong objects (so passing means something)', () => {
    const objects = synth(Backend.CALICO_ENTERPRISE, gateways);
    const egw = JSON.parse(JSON.stringify(ofKind(objects, 'EgressGateway')[0]));
    egw.spec.egressGatewayFailureDetection.icmpProbe.timeoutSeconds = 1;
    expect(validateObject(egw).join('\n')).toMatch(/timeout must be greater than interval/);
    const egp = JSON.parse(JSON.stringify(ofKind(objects, 'EgressGatewayPolicy')[0]));
    egp.spec.rules.push({ destination: { cidr: '172.16.0.0/12' } });
    expect(validateObject(egp).join('\n')).toMatch(/destination 172\.16\.0\.0\/12 is used in two rules/);
    const set = JSON.parse(JSON.stringify(ofKind(synth(Backend.CALICO_ENTERPRISE, domains), 'GlobalNetworkSet')[0]));
    set.spec.allowedEgressDomains.push('not a domain');
    expect(validateObject(set).join('\n')).toMatch(/"not a domain" is not a domain name/);
  });
});
