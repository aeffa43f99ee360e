import { FeatureKey, rejects } from './backend-capabilities';
import { problem } from '../model/errors';

/**
 * The problems one backend finds in a selection, in the one format every backend uses:
 * `backend "<name>" cannot express <feature> (<detail>) (at <construct path>)[; hint: <hint>]`.
 */
export class BackendProblems {
  /** The problems, in the order found. */
  public readonly list: string[] = [];

  constructor(private readonly backend: string) {}

  /** Records that `feature` (with its detail) cannot be expressed by this backend. */
  public add(feature: string, path: string, hint?: string): void {
    this.list.push(problem(`backend "${this.backend}" cannot express ${feature}`, path, hint));
  }

  /**
   * Records a use of `feature`, which this backend cannot express at all. The backend support table
   * (backend-capabilities.ts) must say so: a renderer that finds a use of a feature the table promises for its
   * backend is an internal error, never a silently dropped rule.
   */
  public addUnsupported(feature: FeatureKey, detail: string, path: string, hint?: string): void {
    if (!rejects(this.backend, feature)) {
      throw new Error(`internal: the backend support table says backend "${this.backend}" expresses ${feature}, but its renderer rejected ${detail} (at ${path})`);
    }
    this.add(detail, path, hint);
  }

  /** How many problems were found so far. */
  public get count(): number {
    return this.list.length;
  }
}
