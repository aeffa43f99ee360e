import { Backend } from '../../backends/backend';
import { IRenderSelection } from '../../backends/backend-renderer';
import { routablePoolWarnings } from '../../backends/calico-pools';
import { ClusterNetworkPolicyRenderer } from '../../backends/cluster-network-policy-renderer';
import { httpRuleProblems } from '../../backends/http-rule-check';
import { networkView } from '../../backends/mesh-egress-zones';
import { overlapWarnings } from '../../model/zone-precedence';
import { Emitter, EmitterInput } from '../emitter';

/** Each backend's share of the model: its zones, the sets and pools they use. */
function selections(input: EmitterInput): { backend: Backend; selection: IRenderSelection }[] {
  // Zones with a mesh leave through its egress point: the network backends render the model as networkView says.
  const doc = networkView(input.document).document;
  const setsByName = new Map(doc.destinationSets.map(s => [s.name, s]));
  const poolsByName = new Map(doc.natPools.map(p => [p.name, p]));
  const backends = [...new Set(doc.zones.map(z => z.backend))].sort();
  if (backends.length === 0) backends.push('calico');
  const usedPools = new Set(doc.zones.flatMap(z => z.exit.natPools));
  return backends.map(name => {
    const zones = doc.zones.filter(z => z.backend === name);
    const setNames = new Set(zones.flatMap(z => z.rules.flatMap(r => r.destinationSets)));
    const poolNames = new Set(zones.flatMap(z => z.exit.natPools));
    // Pools no zone uses are still the platform's pools: the Calico backend (the default) renders them.
    if (name === 'calico' || (!backends.includes('calico') && name === backends[0])) {
      doc.natPools.filter(p => !usedPools.has(p.name)).forEach(p => poolNames.add(p.name));
    }
    return {
      backend: Backend.of(name),
      selection: {
        document: doc,
        zones,
        destinationSets: [...setNames].sort().map(n => setsByName.get(n)!).filter(Boolean),
        natPools: [...poolNames].sort().map(n => poolsByName.get(n)!).filter(Boolean),
        scopeFor: (path: string) => input.scopeFor(path),
      },
    };
  });
}

const planned = new WeakMap<EmitterInput, ReturnType<typeof selections>>();
const selectionsOf = (input: EmitterInput) => {
  let s = planned.get(input);
  if (!s) planned.set(input, s = selections(input));
  return s;
};

/** Every zone's policy objects, through the renderer of the zone's backend (Calico, Cilium, ...). */
export const BACKEND_POLICIES: Emitter = {
  name: 'egress backends',
  unsupported: input => [
    ...networkView(input.document).problems,
    ...selectionsOf(input).flatMap(({ backend, selection }) => [
      ...httpRuleProblems(backend.name, selection),
      ...backend.renderer.unsupported(selection),
    ]),
  ],
  render: (input, output) => {
    // Zones that may share pods with the same order: the name decides, which the user should choose instead.
    for (const w of overlapWarnings(input.document.zones)) output.warn(w.path, w.message);
    // Pools reach render on Calico selections only (the other backends reject them).
    for (const { selection } of selectionsOf(input)) for (const w of routablePoolWarnings(selection.natPools)) output.warn(w.path, w.message);
    // ClusterNetworkPolicy's domainNames are experimental in the release we write.
    for (const { backend, selection } of selectionsOf(input)) {
      if (!(backend.renderer instanceof ClusterNetworkPolicyRenderer)) continue;
      for (const w of backend.renderer.warnings(selection)) output.warn(w.path, w.message);
    }
    for (const { backend, selection } of selectionsOf(input)) backend.renderer.render(selection);
  },
};
