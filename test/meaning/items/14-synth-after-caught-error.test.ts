/**
 * Issue 14, item 14: a construct that threw (and was caught) does not poison the later synth.
 * Decided: the half-built construct takes no part in the model; synth goes on with the rest.
 */
import { Testing } from 'cdk8s';
import { AllowExternal, Destination, EgressZone, NatPool, Port } from '../../../src';
import { EgressGateway } from '../../../src/constructs/egress-gateway';
import { chartFor } from '../support';

test.each([
  ['EgressZone', (c: any, ok: EgressZone) => { void ok; new EgressZone(c, 'bad', { namespaces: [] }); }],
  ['NatPool', (c: any) => { new NatPool(c, 'bad', { cidr: 'nope' }); }],
  ['AllowExternal', (c: any, ok: EgressZone) => { new AllowExternal(c, 'bad', { zones: [ok], to: [] }); }],
  ['EgressGateway', (c: any) => { new EgressGateway(c, 'bad', { namespace: 'egress', egressCidr: '198.18.0.0/29', replicas: 99 }); }],
  ['zone.allow', (_c: any, ok: EgressZone) => { ok.allow('bad', { to: [Destination.cidr('300.1.1.1')] }); }],
])('after a caught %s error, synth works and leaves it out', (_what, fail) => {
  const { chart } = chartFor('calico');
  const ok = new EgressZone(chart, 'ok', { namespaces: ['ok'] });
  ok.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  expect(() => fail(chart, ok)).toThrow();
  let objects: any[] = [];
  expect(() => { objects = Testing.synth(chart); }).not.toThrow();
  const policies = objects.filter(o => o.kind === 'GlobalNetworkPolicy').map(o => o.metadata.name);
  expect(policies).toEqual(['egress-ok']);
});
