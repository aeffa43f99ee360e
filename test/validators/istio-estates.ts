/**
 * Estates with a mesh layer, whose Istio objects go through Istio's own types (istio-validator.test.ts) and its CRDs on
 * the lab's API server (test/lab/istio-crds.test.ts): one fixed estate per mode with every kind of rule, and seeded
 * random estates built through the public constructs.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { Output } from './estates';
import {
  Backend, ClusterNetwork, Destination, DestinationSet, EgressZone, HttpMatch, HttpPath, InClusterTraffic, IstioMode, Port,
} from '../../src';
import { captureWarnings } from '../support/warnings';

function output(label: string, app: App): Output {
  const { result: yaml, warnings } = captureWarnings(() => app.synthYaml());
  expect(warnings).toEqual([]);
  return { label, yaml, objects: YAML.parseAllDocuments(yaml).map(d => d.toJSON()).filter(o => o) };
}

function chartOf(label: string): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, label, { disableResourceNameHashes: true });
  new ClusterNetwork(chart, 'cluster', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/26'] });
  return { app, chart };
}

/** Every kind of rule each mode renders: HTTP (methods, exact and prefix paths, hosts), TLS by server name, TCP, TLS origination. */
export function istioFixedOutputs(): Output[] {
  const outs: Output[] = [];
  for (const mode of [IstioMode.AMBIENT, IstioMode.SIDECAR]) {
    const { app, chart } = chartOf(`istio-${mode}`);
    const mesh = Backend.istio({ mode });
    const zone = (id: string, namespaces: string[]) => new EgressZone(chart, id, {
      namespaces, inCluster: InClusterTraffic.ALLOW, backend: Backend.CILIUM, mesh,
    });
    const pay = zone('pay', ['pay', 'pay-jobs']);
    pay.allow('charges', {
      to: [Destination.domain('api.pay.example')],
      ports: [Port.tcp(443)],
      http: HttpMatch.originateTls({ methods: ['GET', 'POST'], paths: [HttpPath.exact('/v1/charges'), HttpPath.prefix('/v1/refunds/')], credentialName: 'pay-ca' }),
    });
    const shop = zone('shop', ['shop']);
    shop.allow('catalog', { to: [Destination.domain('catalog.example.com')], ports: [Port.tcp(80)], http: HttpMatch.http({ methods: ['GET'], hosts: ['catalog.example.com'] }) });
    if (mode === IstioMode.AMBIENT) {
      const files = new DestinationSet(chart, 'files', { domains: ['files.example.com', 'cdn.example.com'] });
      shop.allow('files', { to: [Destination.set(files)], ports: [Port.tcp(443)], http: HttpMatch.tls({ sniHosts: ['files.example.com'] }) });
      shop.allow('db', { to: [Destination.cidrs(['203.0.113.10', '2001:db8::10'])], ports: [Port.tcp(5432)] });
      pay.allow('metrics', { to: [Destination.cidr('198.51.100.7')], ports: [Port.tcp(8080)], http: HttpMatch.http({ paths: [HttpPath.prefix('/push/')] }) });
    }
    outs.push(output(`Istio ${mode}`, app));
  }
  return outs;
}

const DOMAINS = ['api.example.com', 'pay.example.net', 'files.example.org', 'svc.partner.example', 'hooks.example.io'];
const ADDRESSES = ['203.0.113.5', '203.0.113.77', '198.51.100.9', '2001:db8:1::5'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'];
const PATHS = [HttpPath.exact('/v1/charges'), HttpPath.prefix('/v1/'), HttpPath.exact('/health'), HttpPath.prefix('/api/v2/items/')];
const KINDS = ['tcp', 'http', 'tls', 'originate'] as const;

const ruleArb = fc.record({
  domains: fc.uniqueArray(fc.integer({ min: 0, max: DOMAINS.length - 1 }), { maxLength: 2 }),
  addresses: fc.uniqueArray(fc.integer({ min: 0, max: ADDRESSES.length - 1 }), { maxLength: 2 }),
  methods: fc.uniqueArray(fc.constantFrom(...METHODS), { maxLength: 3 }),
  paths: fc.uniqueArray(fc.integer({ min: 0, max: PATHS.length - 1 }), { maxLength: 2 }),
  port: fc.constantFrom(80, 8080, 9000),
});
const estateArb = fc.record({
  sidecar: fc.boolean(),
  // Each destination is used one way in an estate (one port of a host used two ways is an error on purpose).
  kinds: fc.array(fc.constantFrom(...KINDS), { minLength: DOMAINS.length + ADDRESSES.length, maxLength: DOMAINS.length + ADDRESSES.length }),
  zones: fc.array(fc.record({ namespaces: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 2 }), rules: fc.array(ruleArb, { minLength: 1, maxLength: 4 }) }),
    { minLength: 1, maxLength: 4 }),
});

/** `count` random mesh estates (seeded): only inputs the constructs and the Istio renderer accept. */
export function randomIstioOutputs(count: number, seed = 20261206): Output[] {
  return fc.sample(estateArb, { numRuns: count, seed }).map((spec, i) => {
    const { app, chart } = chartOf(`istio-random-${i}`);
    const mesh = Backend.istio({ mode: spec.sidecar ? IstioMode.SIDECAR : IstioMode.AMBIENT });
    const used = new Set<string>();
    spec.zones.forEach((z, zi) => {
      const namespaces = z.namespaces.filter(n => !used.has(n));
      if (namespaces.length === 0) return;
      namespaces.forEach(n => used.add(n));
      const zone = new EgressZone(chart, `zone-${zi}`, { namespaces, inCluster: InClusterTraffic.ALLOW, backend: Backend.CILIUM, mesh });
      z.rules.forEach((r, ri) => {
        // One kind per rule: the kind of its first destination; the rule keeps the destinations of that kind only.
        const dests: { kind: string; domain?: string; address?: string }[] = [
          ...r.domains.map(d => ({ kind: spec.kinds[d], domain: DOMAINS[d] })),
          ...r.addresses.map(a => ({ kind: spec.kinds[DOMAINS.length + a], address: ADDRESSES[a] })),
        ];
        if (dests.length === 0) return;
        const kind = dests[0].kind;
        // Sidecar mode carries HTTP to host names only; TLS needs names; origination needs names.
        if (spec.sidecar && (kind === 'tcp' || kind === 'tls')) return;
        const chosen = dests.filter(d => d.kind === kind && (d.domain || (!spec.sidecar && kind !== 'originate' && kind !== 'tls')));
        if (chosen.length === 0) return;
        const to = chosen.map(d => (d.domain ? Destination.domain(d.domain) : Destination.cidr(d.address!)));
        const methods = r.methods;
        const paths = r.paths.map(p => PATHS[p]);
        const http = kind === 'http' ? HttpMatch.http({ methods, paths }) : kind === 'tls' ? HttpMatch.tls() : kind === 'originate' ? HttpMatch.originateTls({ methods, paths }) : undefined;
        // Sidecar mode: one port per host (80); origination to 443; TLS on 443.
        const port = kind === 'originate' || kind === 'tls' ? 443 : spec.sidecar ? 80 : r.port;
        zone.allow(`rule-${ri}`, { to, ports: [Port.tcp(port)], http });
      });
    });
    try {
      return output(`random Istio estate ${i} (${spec.sidecar ? 'sidecar' : 'ambient'})`, app);
    } catch (e) {
      throw new Error(`random Istio estate ${i} (${JSON.stringify(spec)}) does not synthesize: ${(e as Error).message}`);
    }
  });
}
