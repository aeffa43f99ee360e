/**
 * Issue 14, item 2: a rule prefix that covers the cluster ranges does not open in-cluster traffic.
 * README: "a zone does not allow in-cluster traffic unless allowInCluster". Decided: on every backend a
 * rule's addresses never include the cluster's pod, service (and NAT pool) ranges; in-cluster traffic is
 * left to the cluster's other policies. can-reach answers with the zone's own backend.
 */
import { CanReach, Destination, EgressZone, Port } from '../../../src';
import { BACKENDS, chartFor, evaluate, modelOf, objectsOf, TCP } from '../support';

const db = { namespace: 'db', labels: { app: 'postgres' } };
const src = { namespace: 'apps', labels: {} };

function estate(backend: string, allowInCluster = false) {
  const { chart } = chartFor(backend);
  const zone = new EgressZone(chart, 'apps', { namespaces: ['apps'], allowInCluster });
  zone.allow('corp-db', { to: [Destination.cidr('10.0.0.0/8')], ports: [Port.tcp(5432)] });
  return chart;
}

describe.each(BACKENDS)('10.0.0.0/8 on tcp/5432 with cluster ranges inside, on %s', backend => {
  const chart = estate(backend);
  const objects = objectsOf(chart);
  const doc = modelOf(chart);
  const cases: [string, any, boolean][] = [
    ['a pod', { ip: '10.244.1.5', protocol: TCP, port: 5432, endpoint: db }, false],
    ['a Service backend', { ip: '10.244.7.7', protocol: TCP, port: 5432, endpoint: db }, false],
    ['an external corporate address', { ip: '10.1.2.3', protocol: TCP, port: 5432 }, true],
    ['the first address after the pod range', { ip: '10.245.0.0', protocol: TCP, port: 5432 }, true],
    ['the last address before the service range', { ip: '10.95.255.255', protocol: TCP, port: 5432 }, true],
  ];
  test.each(cases)('%s', (_what, pkt, allowed) => {
    expect(evaluate(backend, objects, src, pkt).allowed).toBe(allowed);
    expect(CanReach.evaluate(doc, { namespace: 'apps', ...pkt }).allowed).toBe(allowed);
  });

  test('allowInCluster opens the cluster', () => {
    const open = estate(backend, true);
    expect(evaluate(backend, objectsOf(open), src, { ip: '10.244.1.5', protocol: TCP, port: 5432, endpoint: db }).allowed).toBe(true);
  });
});

test('can-reach evaluates the zone\'s own backend: a Kubernetes zone is additive, and says so', () => {
  const chart = estate('kubernetes');
  const doc = modelOf(chart);
  const a = CanReach.evaluate(doc, { namespace: 'apps', ip: '198.51.100.1', protocol: TCP, port: 443 });
  expect(a.allowed).toBe(false);
  // NetworkPolicies are additive: the denial holds only while no other policy selecting the pod allows more
  expect(a.reason).toMatch(/NetworkPolicy/);
});
