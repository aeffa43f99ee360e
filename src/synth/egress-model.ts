import { IConstruct } from 'constructs';
import { ensureSynthesizer } from './egress-synthesizer';
import { EgressModelDocument } from '../model/egress-model-document';

/**
 * Programmatic access to an app's egress model, without synthesizing manifests: what exporters, the
 * egress map and `can-reach` read.
 */
export class EgressModel {
  /** Version of the model document this library writes; bumped on incompatible change. */
  public static readonly VERSION = 1;

  /** The resolved egress model of the app that `scope` belongs to. Throws on invalid declarations. */
  public static of(scope: IConstruct): EgressModelDocument {
    return ensureSynthesizer(scope).model();
  }

  /** The model as stable, pretty-printed JSON. */
  public static toJson(scope: IConstruct): string {
    return `${JSON.stringify(EgressModel.of(scope), undefined, 2)}\n`;
  }

  private constructor() {}
}
