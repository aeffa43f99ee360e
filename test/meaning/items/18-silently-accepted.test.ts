/**
 * Issue 21, item 14: declarations that synth accepted without a word although they put pods where nobody meant.
 *  - a pool without NAT that no zone uses (and that lists no namespaces): every pod could draw from it: error;
 *  - a gateway in a namespace its zone covers: its pods become members of the zone they serve: error;
 *  - a pool without NAT needs a network that routes it back to the nodes: a warning.
 */
import { Backend, CalicoEnterpriseGateway, Destination, EgressZone, NatPool, PoolEncapsulation, Port, Selector } from '../../../src';
import { EgressGateway } from '../../../src/constructs/egress-gateway';
import { captureWarnings, chartFor, objectsOf } from '../support';

describe('a NAT pool without natOutgoing that no zone uses', () => {
  test('is an error naming the pool, the field and the fix', () => {
    const { chart } = chartFor('calico');
    new NatPool(chart, 'ops-pool', { cidr: '10.250.0.0/24', natOutgoing: false });
    const { error } = captureWarnings(() => objectsOf(chart));
    expect(error?.message).toMatch(/^natOutgoing "false" of NAT pool "ops-pool" \(10\.250\.0\.0\/24\) is for no namespace: .*any pod could draw un-NATed addresses from it \(at egress\/ops-pool\); hint: give the pool to a zone/);
  });

  test('is fine once a zone uses it or it lists its namespaces; a NATing pool no zone uses stays a platform pool', () => {
    for (const build of [
      (pool: NatPool, chart: any) => new EgressZone(chart, 'ops', { namespaces: ['ops'], natPools: [pool] }),
      undefined,
    ]) {
      const { chart } = chartFor('calico');
      const pool = new NatPool(chart, 'ops-pool', { cidr: '10.250.0.0/24', natOutgoing: false, namespaces: build ? undefined : ['ops'] });
      build?.(pool, chart);
      const { result, error } = captureWarnings(() => objectsOf(chart));
      expect(error).toBeUndefined();
      const ipPool = result!.find(o => o.kind === 'IPPool' && o.metadata.name === 'ops-pool');
      expect(ipPool.spec).toMatchObject({ namespaceSelector: 'kubernetes.io/metadata.name in {"ops"}', allowedUses: ['Workload'] });
    }
    const { chart } = chartFor('calico');
    new NatPool(chart, 'default-pool', { cidr: '10.250.0.0/24' });
    expect(captureWarnings(() => objectsOf(chart)).error).toBeUndefined();
  });
});

describe('a gateway in a namespace its own zone covers', () => {
  function estate(zoneNamespaces: string[], podSelector?: Selector) {
    const { chart } = chartFor('calico');
    const gw = new EgressGateway(chart, 'gw', { namespace: 'shop', egressCidr: '198.18.0.0/29' });
    const zone = new EgressZone(chart, 'shop', { namespaces: zoneNamespaces, gateway: gw, podSelector });
    zone.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
    return chart;
  }

  test('is an error naming the gateway, the zone and the fix', () => {
    const { error } = captureWarnings(() => objectsOf(estate(['shop'])));
    expect(error?.message).toMatch(/^namespace "shop" of gateway "gw" is covered by zone "shop", which leaves through this gateway: the gateway's pods would become members of the zone/);
    expect(error?.message).toMatch(/\(at egress\/gw and egress\/shop\); hint: run the gateway in a namespace of its own/);
  });

  test('a zone selecting the namespace by label counts too', () => {
    const { chart } = chartFor('calico');
    const gw = new EgressGateway(chart, 'gw', { namespace: 'shop', egressCidr: '198.18.0.0/29' });
    new EgressZone(chart, 'all-teams', { namespaceSelector: Selector.parse('projectcalico.org/name starts with "sh"'), gateway: gw })
      .allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
    expect(captureWarnings(() => objectsOf(chart)).error?.message).toMatch(/namespace "shop" of gateway "gw" is covered by zone "all-teams"/);
  });

  test('is fine when the zone\'s pod selector leaves the gateway\'s pods out, or the namespaces differ', () => {
    expect(captureWarnings(() => objectsOf(estate(['shop'], Selector.parse('app == "web"')))).error).toBeUndefined();
    expect(captureWarnings(() => objectsOf(estate(['web']))).error).toBeUndefined();
  });

  test('Calico Enterprise\'s gateway: its policy covers whole namespaces, so the namespace decides', () => {
    const { chart } = chartFor('calico-enterprise');
    Backend.setDefault(chart, Backend.CALICO_ENTERPRISE);
    const gw = new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'shop', egressCidr: '198.18.0.0/29' });
    new EgressZone(chart, 'shop', { namespaces: ['shop'], gateway: gw, podSelector: Selector.parse('app == "web"') })
      .allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
    expect(captureWarnings(() => objectsOf(chart)).error?.message).toMatch(/namespace "shop" of gateway "gw" is covered by zone "shop"/);
  });
});

describe('a routable (no-NAT) pool', () => {
  function warningsFor(props: { natOutgoing: boolean; encapsulation?: PoolEncapsulation }) {
    const { chart } = chartFor('calico');
    const pool = new NatPool(chart, 'pay-pool', { cidr: '10.250.0.0/24', ...props });
    new EgressZone(chart, 'pay', { namespaces: ['pay'], natPools: [pool] });
    const { warnings, error } = captureWarnings(() => objectsOf(chart));
    expect(error).toBeUndefined();
    return warnings.filter(w => /pay-pool/.test(w));
  }

  test('warns that the network must route it back to the nodes, and between them without encapsulation', () => {
    const warnings = warningsFor({ natOutgoing: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[cdk8s-egress\] egress backends egress\/pay-pool: NAT pool "pay-pool" 10\.250\.0\.0\/24 does not NAT \(natOutgoing: false\): .*must route 10\.250\.0\.0\/24 back to the nodes/);
    expect(warnings[0]).toMatch(/with encapsulation NONE \(vxlanMode and ipipMode Never\) the network between the nodes must route it as well/);
  });

  test('with VXLAN only the outside network must route it; a NATing pool draws no warning', () => {
    const vxlan = warningsFor({ natOutgoing: false, encapsulation: PoolEncapsulation.VXLAN });
    expect(vxlan).toHaveLength(1);
    expect(vxlan[0]).not.toMatch(/between the nodes/);
    expect(warningsFor({ natOutgoing: true })).toEqual([]);
  });
});
