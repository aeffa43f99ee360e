/**
 * Issue 14, item 8: the posture diff compares reachability, not rule entries.
 * Decided: per zone, the reachable sets of (source seen, address range, port) before and after; a change
 * lists exactly the ranges that became reachable or stopped being reachable, per port.
 */
import { Destination, EgressModel, EgressZone, Port, PostureDiff } from '../../../src';
import { chartFor } from '../support';

function model(cidrs: string[], ports: Port[] = [Port.tcp(443)], split = false) {
  const { chart } = chartFor('calico');
  const zone = new EgressZone(chart, 'web', { namespaces: ['web'] });
  if (split) cidrs.forEach((c, i) => zone.allow(`cdn-${i}`, { to: [Destination.cidr(c)], ports }));
  else zone.allow('cdn', { to: cidrs.map(c => Destination.cidr(c)), ports });
  return EgressModel.of(chart);
}

test('narrowing /16 to /17 on tcp/443: only the other /17 stopped being reachable', () => {
  const changes = PostureDiff.compare(model(['151.101.0.0/16']), model(['151.101.0.0/17']));
  expect(changes.map(c => [c.change, c.destination, c.port])).toEqual([['removed', '151.101.128.0/17', 'tcp/443']]);
});

test('widening a port range reports only the new ports', () => {
  const changes = PostureDiff.compare(model(['151.101.0.0/16'], [Port.tcpRange(8000, 8080)]), model(['151.101.0.0/16'], [Port.tcpRange(8000, 8090)]));
  expect(changes.map(c => [c.change, c.destination, c.port])).toEqual([['added', '151.101.0.0/16', 'tcp/8081-8090']]);
});

test('the same reachability written as other rules is no change', () => {
  expect(PostureDiff.compare(model(['151.101.0.0/16']), model(['151.101.0.0/17', '151.101.128.0/17'], [Port.tcp(443)], true))).toEqual([]);
});
