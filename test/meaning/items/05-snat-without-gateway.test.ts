/**
 * Issue 14, item 5: a pool's snatAddress without an EgressGateway is not a silent no-op.
 * Decided: synth fails with the construct path and a hint (the node agent that performs the SNAT is
 * emitted with an EgressGateway); an implementation that emits the node agent instead must then emit it
 * with a data-path document carrying the pool. Either way, the firewall never lists a source nothing makes.
 */
import { Destination, EgressZone, NatPool, Port } from '../../../src';
import { captureWarnings, chartFor, dataPathOf, objectsOf } from '../support';

test('snatAddress without a gateway: fail, or emit the node agent with the pool', () => {
  const { chart } = chartFor('calico');
  const pool = new NatPool(chart, 'legacy-pool', { cidr: '10.244.50.0/24', snatAddress: '192.0.2.50' });
  const zone = new EgressZone(chart, 'legacy', { namespaces: ['legacy'], natPools: [pool] });
  zone.allow('partner', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  const { result: objects, error, warnings } = captureWarnings(() => objectsOf(chart));
  expect(warnings).toEqual([]);
  if (error) {
    expect(error.message).toMatch(/snatAddress "192\.0\.2\.50"/);
    expect(error.message).toMatch(/\(at egress\/legacy-pool\)/);
    expect(error.message).toMatch(/hint:/);
    return;
  }
  expect(objects!.filter(o => o.kind === 'DaemonSet')).toHaveLength(1);
  expect(dataPathOf(objects!)!.natPools.map(p => p.snatAddress)).toEqual(['192.0.2.50']);
});
