/** Test helpers: synthesize through the constructs, or render a hand-built model document directly. */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Backend } from '../../src/backends/backend';
import { IRenderSelection } from '../../src/backends/backend-renderer';
import { EgressExitMode, EgressModelDocument, EgressZoneModel, NamespaceAssignment, NatPoolModel, PoolEncapsulation } from '../../src/model/egress-model-document';
import { Port } from '../../src/model/port';

/** Synthesizes a chart built by `build` with `backend` as the chart's default; returns the manifest objects. */
export function synth(backend: Backend, build: (chart: Chart) => void): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  Backend.setDefault(chart, backend);
  build(chart);
  return Testing.synth(chart);
}

/** The error message synthesizing throws (fails the test when it does not throw). */
export function synthError(backend: Backend, build: (chart: Chart) => void): string {
  try {
    synth(backend, build);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

/** Renders every zone of `doc` whose backend is `backend`; problems, or the objects when there are none. */
export function renderDocument(doc: EgressModelDocument, backend: string): { problems: string[]; objects: any[] } {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  const scopes = new Map<string, Construct>();
  const scopeFor = (p: string) => {
    let c = scopes.get(p);
    if (!c) {
      c = new Construct(chart, p.replace(/\//g, '-'));
      scopes.set(p, c);
    }
    return c;
  };
  const zones = doc.zones.filter(z => z.backend === backend);
  const setNames = new Set(zones.flatMap(z => z.rules.flatMap(r => r.destinationSets)));
  const poolNames = new Set(zones.flatMap(z => z.exit.natPools));
  const selection: IRenderSelection = {
    document: doc,
    zones,
    destinationSets: doc.destinationSets.filter(s => setNames.has(s.name)),
    natPools: doc.natPools.filter(p => poolNames.has(p.name)),
    scopeFor,
  };
  const renderer = Backend.of(backend).renderer;
  const problems = renderer.unsupported(selection);
  if (problems.length > 0) return { problems, objects: [] };
  renderer.render(selection);
  return { problems, objects: Testing.synth(chart) };
}

/** A zone of the model with defaults; override what the test is about. */
export function zoneModel(name: string, backend: string, over: Partial<EgressZoneModel> = {}): EgressZoneModel {
  return {
    name,
    path: `app/${name}`,
    backend,
    members: { namespaces: [name], podSelector: 'all()' },
    dns: { enabled: true, namespace: 'kube-system', podSelector: 'k8s-app == "kube-dns"', ports: [Port.udp(53).toModel(), Port.tcp(53).toModel()], cidrs: [] },
    inCluster: 'pass',
    rules: [],
    exit: { mode: EgressExitMode.NAT_OUTGOING, natPools: [], failOpen: false },
    order: 100,
    tier: 'default',
    ...over,
  };
}

/** A pool of the model with defaults. */
export function poolModel(name: string, cidr: string, over: Partial<NatPoolModel> = {}): NatPoolModel {
  return {
    name,
    path: `app/${name}`,
    cidr,
    ipVersion: 4,
    natOutgoing: true,
    blockSize: 26,
    nodeSelector: 'all()',
    namespaces: [],
    noNatDestinations: [],
    encapsulation: PoolEncapsulation.NONE,
    nodeCidrs: [],
    assignment: NamespaceAssignment.NAMESPACE_SELECTOR,
    ...over,
  };
}

/** A model document with defaults. */
export function documentModel(over: Partial<EgressModelDocument>): EgressModelDocument {
  return { version: 1, clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'], nodeCidrs: [], zones: [], destinationSets: [], natPools: [], gateways: [], ...over };
}

/** Objects of one kind. */
export function ofKind(objects: any[], kind: string): any[] {
  return objects.filter(o => o.kind === kind);
}
