import { Construct } from 'constructs';
import { DestinationSetModel, EgressModelDocument, EgressZoneModel, NatPoolModel } from '../model/egress-model-document';

/** What one backend renders: its zones and what they use, plus where each model element was declared. */
export interface IRenderSelection {
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
 * Turns model elements into API objects for one policy engine. One file per backend, one entry in
 * {@link Backend}'s table; your own with `Backend.custom(renderer)`. A renderer reads only the model; it
 * first lists everything it cannot express (all at once), and renders only when that list is empty —
 * never a silently weaker policy.
 */
export interface IBackendRenderer {
  /** The backend's name, as zones' `backend` in the model. */
  readonly name: string;
  /** Problems: features of the selection this backend cannot express, each naming backend, feature and path. */
  unsupported(selection: IRenderSelection): string[];
  /** Renders the selection's API objects, each under `selection.scopeFor(<model path>)`. */
  render(selection: IRenderSelection): void;
}
