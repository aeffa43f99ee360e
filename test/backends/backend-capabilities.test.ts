import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { synth } from './render-helpers';
import { Backend } from '../../src/backends/backend';
import { BackendCapabilities, BackendSupport } from '../../src/backends/backend-capabilities';
import { CalicoEnterpriseGateway } from '../../src/constructs/calico-enterprise-gateway';
import { ClusterNetwork } from '../../src/constructs/cluster-network';
import { Destination } from '../../src/constructs/destination';
import { EgressZone } from '../../src/constructs/egress-zone';
import { NatPool } from '../../src/constructs/nat-pool';
import { Enforcement } from '../../src/model/enforcement';
import { Port } from '../../src/model/port';
import { Protocol } from '../../src/model/protocol';
import { Selector } from '../../src/model/selector';
import { expectWarnings } from '../support/warnings';

const BACKENDS = [Backend.CALICO, Backend.CALICO_ENTERPRISE, Backend.CILIUM, Backend.KUBERNETES, Backend.CLUSTER_NETWORK_POLICY];

describe('backend support table', () => {
  test('docs/backends.md shows the table the code declares', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'backends.md'), 'utf8');
    expect(doc).toContain(BackendCapabilities.markdown());
  });

  test('every backend states something for every feature, and a level of support', () => {
    for (const row of BackendCapabilities.table()) {
      for (const v of [row.calico, row.calicoEnterprise, row.cilium, row.kubernetes, row.clusterNetworkPolicy]) expect(v.trim()).not.toBe('');
      const s = row.support;
      for (const cell of [s.calico, s.calicoEnterprise, s.cilium, s.kubernetes, s.clusterNetworkPolicy]) {
        expect(Object.values(BackendSupport)).toContain(cell.support);
        // A cell that only says "error" is a backend that rejects the feature, and the other way round.
        if (cell.text === 'error') expect(cell.support).toBe(BackendSupport.UNSUPPORTED);
      }
    }
    const keys = BackendCapabilities.table().map(r => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(BackendCapabilities.table().map(r => r.feature)).toEqual(expect.arrayContaining(['Domain names', 'NAT pools', 'Calico Enterprise gateways']));
  });

  test('supportOf reads the table by backend name, and knows only the built-in backends', () => {
    expect(BackendCapabilities.supportOf('kubernetes', 'tiers')).toBe(BackendSupport.UNSUPPORTED);
    expect(BackendCapabilities.supportOf('calico', 'tiers')).toBe(BackendSupport.SUPPORTED);
    expect(BackendCapabilities.supportOf('cilium', 'icmp')).toBe(BackendSupport.PARTIAL);
    expect(() => BackendCapabilities.supportOf('nope', 'tiers')).toThrow(/backend "nope" is not in the support table/);
    expect(() => BackendCapabilities.supportOf('calico', 'teleportation')).toThrow(/feature "teleportation" is not in the support table/);
  });

  // One use of each feature, in a zone of the chart's default backend.
  const uses: [string, (chart: Chart) => void][] = [
    ['domain-names', chart => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('saas', { to: [Destination.domain('api.example.com')] })],
    ['icmp', chart => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('ping', { to: [Destination.cidr('198.51.100.1')], ports: [Port.icmp({ type: 8 })] })],
    ['other-protocols', chart => new EgressZone(chart, 'z', { namespaces: ['z'] }).allow('gre', { to: [Destination.cidr('198.51.100.1')], ports: [Port.allOf(Protocol.of(47))] })],
    ['namespace-selectors', chart => new EgressZone(chart, 'z', { namespaceSelector: Selector.parse('team == "a"') })],
    ['tiers', chart => new EgressZone(chart, 'z', { namespaces: ['z'], tier: 'platform' })],
    ['nat-pools', chart => {
      new ClusterNetwork(chart, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
      new EgressZone(chart, 'z', { namespaces: ['z'], natPools: [new NatPool(chart, 'pool', { cidr: '10.250.0.0/24' })] });
    }],
    ['staged-zones', chart => new EgressZone(chart, 'z', { namespaces: ['z'], enforcement: Enforcement.STAGED })],
    ['calico-enterprise-gateways', chart => new EgressZone(chart, 'z', {
      namespaces: ['z'], gateway: new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress', egressCidr: '192.0.2.8/30' }),
    })],
  ];
  const cases = uses.flatMap(([feature, build]) => BACKENDS.map(backend => [feature, backend.name, build] as const));

  test.each(cases)('%s on %s: rejected exactly when the table says so', (feature, name, build) => {
    const support = BackendCapabilities.supportOf(name, feature);
    let error: string | undefined;
    // ClusterNetworkPolicy's domainNames are experimental: synth says so (the backend's own tests assert the text).
    const expectedWarnings = feature === 'domain-names' && name === 'cluster-network-policy' ? [/experimental/] : [];
    expectWarnings(expectedWarnings, () => {
      try {
        synth(Backend.of(name), build);
      } catch (e) {
        error = (e as Error).message;
      }
    });
    if (support === BackendSupport.UNSUPPORTED) expect(error).toMatch(new RegExp(`backend "${name}" cannot (express|match)`));
    if (support === BackendSupport.SUPPORTED) expect(error).toBeUndefined();
    // PARTIAL: some uses pass and some fail; the backend's own tests say which.
  });
});
