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

  /** How many problems were found so far. */
  public get count(): number {
    return this.list.length;
  }
}
