import { oncePer } from '../model/bounded-memo';
import { EgressExitMode, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { InClusterTraffic } from '../model/in-cluster-traffic';
import { MeshModel } from '../model/mesh-model';
import { toDnsLabel } from '../model/names';

/** The model as the network backends render it, and what cannot be composed. */
export interface NetworkView {
  readonly document: EgressModelDocument;
  readonly problems: string[];
}

/**
 * The model as the network backends see it when zones have a mesh. A mesh zone's external traffic leaves only
 * through the mesh's egress point: its own policy keeps DNS, the API server and in-cluster traffic (which reaches the
 * egress point) but no external rule, and one zone per egress point, selecting its pods, gets every mesh zone's
 * rules at layer 4 (addresses and ports; the HTTP part is the mesh's). Istio's docs say the mesh alone is no security
 * boundary (a pod can bypass its proxy): this is the network half that makes it one.
 */
export function networkView(doc: EgressModelDocument): NetworkView {
  // Once per document: the backends emitter asks for the view's problems and then for the view it renders.
  return oncePer(VIEWS, doc, buildNetworkView);
}

const VIEWS = new WeakMap<EgressModelDocument, NetworkView>();

function buildNetworkView(doc: EgressModelDocument): NetworkView {
  const meshZones = doc.zones.filter(z => z.mesh);
  if (meshZones.length === 0) return { document: doc, problems: [] };
  const problems: string[] = [];
  const byPoint = new Map<string, EgressZoneModel[]>();
  for (const z of meshZones) {
    const key = pointKey(z.mesh!);
    byPoint.set(key, [...(byPoint.get(key) ?? []), z]);
  }
  const names = new Set(doc.zones.map(z => z.name));
  const points: EgressZoneModel[] = [];
  for (const zones of byPoint.values()) {
    const mesh = zones[0].mesh!;
    const backends = [...new Set(zones.map(z => z.backend))].sort();
    if (backends.length > 1) {
      problems.push(problem(`zones sharing the ${mesh.backend} egress point "${mesh.namespace}/${mesh.egressPoint}" use different network backends (${backends.join(', ')}): its pods would get two policies`,
        zones.map(z => z.path), 'give the zones of one egress point one network backend, or give them different egress points'));
      continue;
    }
    const name = toDnsLabel(`mesh-${mesh.egressPoint}`);
    if (names.has(name)) {
      problems.push(problem(`zone name "${name}" is taken: the network policy of the ${mesh.backend} egress point "${mesh.namespace}/${mesh.egressPoint}" has that name`,
        doc.zones.find(z => z.name === name)!.path, 'rename the zone'));
      continue;
    }
    points.push(egressPointZone(name, mesh, zones));
  }
  const zones = [...doc.zones.map(z => (z.mesh ? { ...z, rules: [] } : z)), ...points].sort((a, b) => (a.name < b.name ? -1 : 1));
  return { document: { ...doc, zones }, problems };
}

function pointKey(m: MeshModel): string {
  return [m.backend, m.mode, m.namespace, m.egressPoint, m.egressPointSelector].join('|');
}

/** The zone of an egress point's pods: every rule of its mesh zones, at layer 4, named "<zone>-<rule>". */
function egressPointZone(name: string, mesh: MeshModel, zones: EgressZoneModel[]): EgressZoneModel {
  const rules: EgressRuleModel[] = [];
  const seen = new Set<string>();
  const ruleNames = new Set<string>();
  for (const zone of zones) {
    for (const rule of zone.rules) {
      const key = JSON.stringify([rule.destinationSets, rule.ports]);
      if (seen.has(key)) continue;
      seen.add(key);
      let ruleName = toDnsLabel(`${zone.name}-${rule.name}`);
      for (let i = 2; ruleNames.has(ruleName); i++) ruleName = toDnsLabel(`${zone.name}-${rule.name}`.slice(0, 58) + `-${i}`);
      ruleNames.add(ruleName);
      const { http: _layer7, gateway: _gateway, ...layer4 } = rule;
      rules.push({ ...layer4, name: ruleName, bypassGateway: false });
    }
  }
  const first = zones[0];
  return {
    name,
    // Under the first zone's construct: scopeFor finds a scope there, and errors name a path the user declared.
    path: `${first.path}/MeshEgressPoint`,
    backend: first.backend,
    description: `${mesh.backend} egress point ${mesh.namespace}/${mesh.egressPoint} (zones ${zones.map(z => z.name).join(', ')})`,
    members: { namespaces: [mesh.namespace], podSelector: mesh.egressPointSelector },
    dns: first.dns,
    // The egress point talks to its control plane (istiod) and receives the zones' traffic inside the cluster.
    inCluster: InClusterTraffic.ALLOW,
    rules,
    exit: { mode: EgressExitMode.NAT_OUTGOING, natPools: [], failOpen: false },
    order: Math.min(...zones.map(z => z.order)),
    tier: first.tier,
    tierOrder: first.tierOrder,
  };
}
