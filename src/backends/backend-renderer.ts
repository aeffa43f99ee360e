import { Construct } from 'constructs';
import { DestinationSetModel, EgressModelDocument, EgressZoneModel, NatPoolModel } from '../model/egress-model';

/** What one backend renders: its zones and what they use, plus where each model element was declared. */
export interface RenderSelection {
  readonly document: EgressModelDocument;
  readonly zones: EgressZoneModel[];
  /** Destination sets used by `zones`. */
  readonly destinationSets: DestinationSetModel[];
  /** NAT pools used by `zones` (and, for the default backend, pools no zone uses). */
  readonly natPools: NatPoolModel[];
  /** The construct declared at a model path: emitted objects go under it so users find them there. */
  scopeFor(path: string): Construct;
}

/**
 * Turns model elements into API objects for one policy engine. One file per backend, one registry entry.
 * A renderer reads only the model; it first lists everything it cannot express (all at once), and
 * renders only when that list is empty — never a silently weaker policy.
 */
export interface BackendRenderer {
  readonly name: string;
  /** Problems: features of the selection this backend cannot express, each naming backend, feature and path. */
  unsupported(selection: RenderSelection): string[];
  render(selection: RenderSelection): void;
}

const registry = new Map<string, BackendRenderer>();

/** Adds a backend renderer to the registry. */
export function registerBackendRenderer(renderer: BackendRenderer): void {
  registry.set(renderer.name, renderer);
}

/** The renderer for a backend name. */
export function backendRenderer(name: string): BackendRenderer {
  const r = registry.get(name);
  if (!r) throw new Error(`backend "${name}" has no renderer registered (known: ${[...registry.keys()].join(', ')})`);
  return r;
}
