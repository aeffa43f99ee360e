import { App } from 'cdk8s';
import { Construct } from 'constructs';
import type { ModelBuilder } from '../synth/model-builder';
import { declare } from './private/declare';
import { constructId } from '../model/construct-id';

/** Properties of the reviewers' outputs. */
export interface EgressReviewProps {
  /**
   * Folder for the outputs.
   * @default - the app's output folder (dist/)
   */
  readonly outdir?: string;
}

/**
 * Writes, at synth time, what reviewers and tools read next to the manifests: `egress-model.json` (the
 * resolved model: input of `cdk8s-egress can-reach` and `cdk8s-egress diff`), `egress-map.md` (Markdown +
 * Mermaid), `egress-map.dot` (Graphviz) and `egress-map.svg` (the same map drawn by Graphviz, for reviewers).
 */
export class EgressReview extends Construct {
  private readonly outdir?: string;

  /**
   * @param scope the construct this EgressReview belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see EgressReviewProps)
   */
  constructor(scope: Construct, id: string, props: EgressReviewProps = {}) {
    super(scope, constructId(scope, id, 'EgressReview'));
    // The synth pipeline writes the files (its review-files step), once per app.
    this.outdir = declare(this, () => props.outdir);
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.requests.addReviewFiles({ path: this.node.path, outdir: this.outdir ?? App.of(this).outdir });
  }
}
