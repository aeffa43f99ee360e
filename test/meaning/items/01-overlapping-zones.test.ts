/**
 * Issue 14, item 1: pods selected by two zones get one answer everywhere.
 * Decided semantics (docs/backends.md "Overlapping zones"): a pod belongs to exactly one zone, the first
 * by (order, name) among the zones that select it; that zone's posture alone decides its egress, on every
 * backend and in can-reach. Synth warns about zones that can select the same pods with the same order
 * (the winner is then decided by name) and says how to choose the winner (`order`).
 */
import { Destination, EgressZone, Port, Selector, CanReach } from '../../../src';
import { BACKENDS, captureWarnings, chartFor, evaluate, modelOf, objectsOf, TCP } from '../support';

const pod = { namespace: 'shop', labels: { app: 'api', tier: 'front' } };

function estate(backend: string, bOrder?: number) {
  const { chart } = chartFor(backend);
  const a = new EgressZone(chart, 'a', { namespaces: ['shop'], podSelector: Selector.parse('app == "api"') });
  a.allow('pay', { to: [Destination.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] });
  const b = new EgressZone(chart, 'b', { namespaces: ['shop'], podSelector: Selector.parse('tier == "front"'), order: bOrder });
  b.allow('cdn', { to: [Destination.cidr('198.51.100.0/24')], ports: [Port.tcp(443)] });
  return chart;
}

describe.each(BACKENDS)('overlapping zones on %s', backend => {
  test('same order: the first zone by name decides, rendered objects and can-reach agree, synth warns', () => {
    const chart = estate(backend);
    const { warnings, result: objects, error } = captureWarnings(() => objectsOf(chart));
    expect(error).toBeUndefined();
    const toA = { ip: '203.0.113.5', protocol: TCP, port: 443 };
    const toB = { ip: '198.51.100.5', protocol: TCP, port: 443 };
    expect(evaluate(backend, objects!, pod, toA).allowed).toBe(true);
    expect(evaluate(backend, objects!, pod, toB).allowed).toBe(false);
    const doc = modelOf(chart);
    expect(CanReach.evaluate(doc, { namespace: 'shop', podLabels: pod.labels, ...toA }).allowed).toBe(true);
    expect(CanReach.evaluate(doc, { namespace: 'shop', podLabels: pod.labels, ...toB }).allowed).toBe(false);
    // pods of only one zone keep their zone's posture
    expect(evaluate(backend, objects!, { namespace: 'shop', labels: { tier: 'front' } }, toB).allowed).toBe(true);
    expect(evaluate(backend, objects!, { namespace: 'shop', labels: { app: 'api' } }, toA).allowed).toBe(true);
    const w = warnings.filter(l => /zones? "a"/.test(l) && /"b"/.test(l));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/order/);
    expect(warnings).toEqual(w);
  });

  test('a lower order says which zone wins, and then synth is silent', () => {
    const chart = estate(backend, 50);
    const { warnings, result: objects } = captureWarnings(() => objectsOf(chart));
    expect(evaluate(backend, objects!, pod, { ip: '198.51.100.5', protocol: TCP, port: 443 }).allowed).toBe(true);
    expect(evaluate(backend, objects!, pod, { ip: '203.0.113.5', protocol: TCP, port: 443 }).allowed).toBe(false);
    const doc = modelOf(chart);
    expect(CanReach.evaluate(doc, { namespace: 'shop', podLabels: pod.labels, ip: '198.51.100.5', protocol: TCP, port: 443 }).zone).toBe('b');
    expect(warnings).toEqual([]);
  });
});

test('zones that cannot share a pod (different namespaces, contradicting labels) draw no warning', () => {
  const { chart } = chartFor('calico');
  new EgressZone(chart, 'x', { namespaces: ['shop'], podSelector: Selector.parse('app == "api"') });
  new EgressZone(chart, 'y', { namespaces: ['shop'], podSelector: Selector.parse('app == "web"') });
  new EgressZone(chart, 'z', { namespaces: ['other'] });
  const { warnings, error } = captureWarnings(() => objectsOf(chart));
  expect(error).toBeUndefined();
  expect(warnings).toEqual([]);
});
