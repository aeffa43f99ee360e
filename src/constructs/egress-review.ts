import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressMap } from '../review/egress-map';
import { EgressModel } from '../synth/egress-model-api';

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
 * Mermaid) and `egress-map.dot` (Graphviz).
 */
export class EgressReview extends Construct {
  /**
   * @param scope the construct this EgressReview belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see EgressReviewProps)
   */
  constructor(scope: Construct, id: string, props: EgressReviewProps = {}) {
    super(scope, id);
    let written = false;
    // cdk8s validates before rendering on every synth path; write once per app instance.
    this.node.addValidation({
      validate: () => {
        if (written) return [];
        written = true;
        const outdir = props.outdir ?? App.of(this).outdir;
        const doc = EgressModel.of(this);
        fs.mkdirSync(outdir, { recursive: true });
        fs.writeFileSync(path.join(outdir, 'egress-model.json'), `${JSON.stringify(doc, undefined, 2)}\n`);
        fs.writeFileSync(path.join(outdir, 'egress-map.md'), EgressMap.toMarkdown(doc));
        fs.writeFileSync(path.join(outdir, 'egress-map.dot'), EgressMap.toDot(doc));
        return [];
      },
    });
  }
}
