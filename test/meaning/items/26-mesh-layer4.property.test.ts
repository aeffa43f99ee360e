/**
 * Issue 26: the layer-4 part of HTTP rules. On random estates with mesh zones (Istio, ambient) on every network backend
 * with an evaluator, each backend's rendered objects, evaluated from its documented semantics (evaluators/), agree
 * with the model:
 *   - a mesh zone's pod reaches no external address itself, whatever its rules say (only through the egress point),
 *   - it reaches the waypoint (in-cluster, HBONE 15008),
 *   - the waypoint's pod reaches exactly what can-reach's network layer says for the zone (its rules' addresses and
 *     ports, never their HTTP part, which only the mesh sees).
 */
import * as fc from 'fast-check';
import { CanReach, Destination, EgressZone, HttpMatch, HttpPath, InClusterTraffic, Backend, Port } from '../../../src';
import { BACKENDS, chartFor, evaluate, modelOf, objectsOf } from '../support';

const ADDRESSES = ['203.0.113.5', '203.0.113.6', '198.51.100.9', '2001:db8:1::5'];
const PORTS = [80, 443, 8080];
const WAYPOINT = { namespace: 'istio-egress', labels: { 'gateway.networking.k8s.io/gateway-name': 'egress-waypoint' } };

const estateArb = fc.array(fc.record({
  namespace: fc.constantFrom('a', 'b', 'c'),
  rules: fc.array(fc.record({
    addresses: fc.uniqueArray(fc.constantFrom(...ADDRESSES), { minLength: 1, maxLength: 2 }),
    port: fc.constantFrom(...PORTS),
    http: fc.boolean(),
  }), { minLength: 1, maxLength: 3 }),
}), { minLength: 1, maxLength: 3 });

describe.each(BACKENDS)('mesh zones on %s: the network layer of HTTP rules', backend => {
  test('zone pods never leave directly; the waypoint reaches what can-reach\'s network layer says', () => {
    const disagreements: string[] = [];
    let allowedProbes = 0;
    for (const [i, spec] of fc.sample(estateArb, { numRuns: 12, seed: 26 }).entries()) {
      const { chart } = chartFor(backend);
      const mesh = Backend.istio();
      const seen = new Set<string>();
      // One HTTP or plain kind per address and port (one port of a host used two ways is an error on purpose).
      const kindOf = new Map<string, boolean>();
      for (const z of spec.filter(x => !seen.has(x.namespace) && seen.add(x.namespace))) {
        const zone = new EgressZone(chart, `zone-${z.namespace}`, { namespaces: [z.namespace], inCluster: InClusterTraffic.ALLOW, mesh });
        z.rules.forEach((r, ri) => {
          const http = kindOf.get(`${r.addresses[0]}:${r.port}`) ?? r.http;
          const addresses = r.addresses.filter(a => (kindOf.get(`${a}:${r.port}`) ?? http) === http);
          addresses.forEach(a => kindOf.set(`${a}:${r.port}`, http));
          zone.allow(`r${ri}`, {
            to: [Destination.cidrs(addresses)],
            ports: [Port.tcp(r.port)],
            http: http ? HttpMatch.http({ methods: ['GET'], paths: [HttpPath.prefix('/v1/')] }) : undefined,
          });
        });
      }
      const objects = objectsOf(chart);
      const doc = modelOf(chart);
      for (const namespace of seen) {
        const pod = { namespace, labels: { app: 'x' } };
        const toWaypoint = evaluate(backend, objects, pod, { ip: '10.244.7.7', protocol: 6, port: 15008, endpoint: WAYPOINT });
        if (!toWaypoint.allowed) disagreements.push(`estate ${i}: ${namespace} -> waypoint:15008 denied (${toWaypoint.why})`);
        for (const ip of ADDRESSES) {
          for (const port of [...PORTS, 22]) {
            const direct = evaluate(backend, objects, pod, { ip, protocol: 6, port });
            if (direct.allowed) disagreements.push(`estate ${i}: ${namespace} -> ${ip}:${port} allowed directly (${direct.why})`);
            const answer = CanReach.evaluate(doc, { namespace, podLabels: pod.labels, ip, protocol: 6, port });
            const network = answer.layers?.find(l => l.layer === 'network')?.allowed ?? false;
            const viaWaypoint = evaluate(backend, objects, WAYPOINT, { ip, protocol: 6, port });
            // The waypoint carries every mesh zone's rules: it may reach more than this zone asks, never less.
            if (network && !viaWaypoint.allowed) disagreements.push(`estate ${i}: ${namespace}'s rule allows ${ip}:${port}, the waypoint's policy denies it (${viaWaypoint.why})`);
            if (network) allowedProbes++;
          }
        }
      }
      // The waypoint reaches nothing that no mesh zone allows.
      for (const ip of ADDRESSES) {
        for (const port of [...PORTS, 22]) {
          const any = [...seen].some(namespace => CanReach.evaluate(doc, { namespace, podLabels: { app: 'x' }, ip, protocol: 6, port }).layers?.[0].allowed);
          const viaWaypoint = evaluate(backend, objects, WAYPOINT, { ip, protocol: 6, port });
          if (viaWaypoint.allowed !== any) disagreements.push(`estate ${i}: waypoint -> ${ip}:${port}: policy ${viaWaypoint.allowed}, model ${any}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(allowedProbes).toBeGreaterThan(10);
  });
});
