/**
 * Issue 14, item 12: `ports: []` is an error; all traffic is said with Port.allTraffic() (or by leaving
 * `ports` out, the documented default).
 */
import { AllowExternal, CanReach, Destination, EgressModel, EgressZone, Port } from '../../../src';
import { chartFor } from '../support';

test('an empty port list is an error naming the rule', () => {
  const { chart } = chartFor('calico');
  const zone = new EgressZone(chart, 'web', { namespaces: ['web'] });
  expect(() => zone.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [] }))
    .toThrow(/ports "\[\]" is empty.*\(at egress\/web\/api\).*hint: .*Port\.allTraffic\(\)/);
  expect(() => new AllowExternal(chart, 'shared', { zones: [zone], to: [Destination.cidr('203.0.113.0/24')], ports: [] }))
    .toThrow(/ports "\[\]" is empty.*\(at egress\/shared\)/);
});

test('Port.allTraffic() allows every protocol and port', () => {
  const { chart } = chartFor('calico');
  const zone = new EgressZone(chart, 'web', { namespaces: ['web'] });
  zone.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.allTraffic()] });
  const doc = EgressModel.of(chart);
  expect(CanReach.evaluate(doc, { namespace: 'web', ip: '203.0.113.1', protocol: 17, port: 9999 }).allowed).toBe(true);
  expect(CanReach.evaluate(doc, { namespace: 'web', ip: '203.0.113.1', protocol: 47 }).allowed).toBe(true);
});
