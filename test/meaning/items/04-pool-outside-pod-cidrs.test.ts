/**
 * Issue 14, item 4: a NatPool outside ClusterNetwork.podCidrs does not make its pods "external".
 * Decided: every pool range is in-cluster (like podCidrs) for every zone, every backend and can-reach.
 */
import { CanReach, Destination, EgressModel, EgressZone, NatPool, Port } from '../../../src';
import { expectWarnings } from '../../support/warnings';
import { chartFor, evaluate, objectsOf, TCP } from '../support';

function estate() {
  const { chart } = chartFor('calico');
  const pool = new NatPool(chart, 'pay-pool', { cidr: '10.250.0.0/24', natOutgoing: false });
  new EgressZone(chart, 'pay', { namespaces: ['pay'], natPools: [pool] });
  const web = new EgressZone(chart, 'web', { namespaces: ['web'] });
  web.allow('api', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  return chart;
}

test('the model counts the pool range as in-cluster', () => {
  expect(EgressModel.of(estate()).clusterCidrs).toContain('10.250.0.0/24');
});

test('another zone leaves traffic to the pool\'s pods to the cluster\'s other policies (Calico)', () => {
  const chart = estate();
  // an application team's NetworkPolicy (Calico order 1000) allowing web -> pay
  // The pool does not NAT: synth says the outside network must route it back (issue 21, item 14).
  const objects = [...expectWarnings([/^egress backends \S+\/pay-pool: NAT pool "pay-pool" 10\.250\.0\.0\/24 does not NAT /], () => objectsOf(chart)), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-to-pay', namespace: 'web' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'pay' } } }] }] },
  }];
  const pkt = { ip: '10.250.0.7', protocol: TCP, port: 8080, endpoint: { namespace: 'pay', labels: {} } };
  expect(evaluate('calico', objects, { namespace: 'web', labels: {} }, pkt).allowed).toBe(true);
  const answer = CanReach.evaluate(EgressModel.of(chart), { namespace: 'web', ip: '10.250.0.7', protocol: TCP, port: 8080 });
  expect(answer.rule).toBe('in-cluster-fallthrough');
});
