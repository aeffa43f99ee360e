/**
 * Issue 14, item 10: overlapping address ranges fail at synth, naming the construct paths.
 */
import { Testing } from 'cdk8s';
import { EgressZone, NatPool } from '../../../src';
import { EgressGateway } from '../../../src/constructs/egress-gateway';
import { captureWarnings, chartFor, objectsOf } from '../support';

function errorOf(fn: () => unknown): string {
  const { error, warnings } = captureWarnings(fn);
  expect(warnings).toEqual([]);
  expect(error).toBeDefined();
  expect(error).not.toBeInstanceOf(TypeError);
  return error!.message;
}

test('a NatPool overlapping the gateway\'s egress pool', () => {
  const { chart } = chartFor('calico');
  new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: '198.18.0.0/29' });
  const pool = new NatPool(chart, 'pool', { cidr: '198.18.0.0/24', natOutgoing: false });
  new EgressZone(chart, 'z', { namespaces: ['z'], natPools: [pool] });
  const m = errorOf(() => objectsOf(chart));
  expect(m).toMatch(/198\.18\.0\.0\/24/);
  expect(m).toMatch(/egress\/pool/);
  expect(m).toMatch(/egress\/gw/);
});

test('a pool inside the service range', () => {
  const { chart } = chartFor('calico');
  const pool = new NatPool(chart, 'pool', { cidr: '10.96.8.0/24', natOutgoing: false });
  new EgressZone(chart, 'z', { namespaces: ['z'], natPools: [pool] });
  const m = errorOf(() => objectsOf(chart));
  expect(m).toMatch(/10\.96\.8\.0\/24/);
  expect(m).toMatch(/service/);
  expect(m).toMatch(/egress\/pool/);
});

// ClusterNetwork checks its own ranges when it is made (or, at the latest, at synth).
test('podCidrs overlapping serviceCidrs', () => {
  const m = errorOf(() => {
    const { chart } = chartFor('calico', { podCidrs: ['10.0.0.0/8'], serviceCidrs: ['10.96.0.0/12'] });
    new EgressZone(chart, 'z', { namespaces: ['z'] });
    return objectsOf(chart);
  });
  expect(m).toMatch(/podCidrs/);
  expect(m).toMatch(/serviceCidrs/);
  expect(m).toMatch(/\(at egress\/cluster\)/);
});

test('pod CIDRs overlapping node CIDRs, with and without a gateway: the construct path, not a JSON path', () => {
  for (const withGateway of [false, true]) {
    const m = errorOf(() => {
      const { chart } = chartFor('calico', { podCidrs: ['10.244.0.0/16'], nodeCidrs: ['10.244.200.0/24'] });
      const gw = withGateway ? new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: '198.18.0.0/29' }) : undefined;
      new EgressZone(chart, 'z', { namespaces: ['z'], gateway: gw });
      return Testing.synth(chart);
    });
    expect(m).toMatch(/nodeCidrs/);
    expect(m).toMatch(/\(at egress\/cluster\)/);
    expect(m).not.toMatch(/\$\.cluster/);
  }
});
