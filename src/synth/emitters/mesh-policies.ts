import { Backend } from '../../backends/backend';
import { IRenderSelection } from '../../backends/backend-renderer';
import { oncePer } from '../../model/bounded-memo';
import { Emitter, EmitterInput } from '../emitter';

/** Each mesh backend's share of the model: the zones that have it as their mesh, and the sets their rules use. */
function meshSelections(input: EmitterInput): { backend: Backend; selection: IRenderSelection }[] {
  const doc = input.document;
  const setsByName = new Map(doc.destinationSets.map(s => [s.name, s]));
  const meshes = [...new Set(doc.zones.filter(z => z.mesh).map(z => z.mesh!.backend))].sort();
  return meshes.map(name => {
    const zones = doc.zones.filter(z => z.mesh?.backend === name);
    const setNames = [...new Set(zones.flatMap(z => z.rules.flatMap(r => r.destinationSets)))].sort();
    return {
      backend: Backend.of(name),
      selection: {
        document: doc,
        zones,
        destinationSets: setNames.map(n => setsByName.get(n)!).filter(Boolean),
        natPools: [],
        scopeFor: (path: string) => input.scopeFor(path),
      },
    };
  });
}

const planned = new WeakMap<EmitterInput, ReturnType<typeof meshSelections>>();

/** The selections once per input: their renderers plan each once, for the problems and the objects. */
const selectionsOf = (input: EmitterInput) => oncePer(planned, input, meshSelections);

/** The mesh layer of zones that have one (`mesh: Backend.istio()`): what enforces their rules' HTTP part. */
export const MESH_POLICIES: Emitter = {
  name: 'egress mesh',
  unsupported: input => selectionsOf(input).flatMap(({ backend, selection }) => backend.renderer.unsupported(selection)),
  render: input => {
    for (const { backend, selection } of selectionsOf(input)) backend.renderer.render(selection);
  },
};
