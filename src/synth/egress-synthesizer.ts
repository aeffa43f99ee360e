import * as fs from 'fs';
import { dirname } from 'path';
import { Construct, IConstruct } from 'constructs';
import { EmitterInput, EmitterOutput } from './emitter';
import { ModelBuilder } from './model-builder';
import { isModelContributor } from './model-contributor';
import { OutputRequests } from './output-requests';
import { PIPELINE } from './pipeline';
import { SynthReporter } from './synth-reporter';
import { EgressModelDocument } from '../model/egress-model-document';
import { ValidationErrors } from '../model/errors';

const synthesizers = new WeakMap<IConstruct, EgressSynthesizer>();

/** Makes sure the app that `scope` belongs to runs the synth pipeline at synth time (one hook per app). */
export function ensureSynthesizer(scope: IConstruct): EgressSynthesizer {
  const root = scope.node.root;
  let s = synthesizers.get(root);
  if (!s) {
    s = new EgressSynthesizer(root);
    synthesizers.set(root, s);
    const synth = s;
    // cdk8s has no "prepare" phase, but it validates every construct (root first) before it renders any
    // chart, on every synth path (app.synth, synthYaml, chart.toJson, Testing.synth). Rendering here lets
    // rules be added after construction and lets one zone's policy depend on all rules of the app.
    root.node.addValidation({ validate: () => { synth.render(); return []; } });
  }
  return s;
}

/**
 * Builds the egress model of one app from its constructs and runs every emitter of the {@link PIPELINE} on
 * it, in order: each lists what it cannot express (the synth fails with all of it at once), then renders;
 * files are written here and warnings go to one {@link SynthReporter}. Happens once per app; the model is
 * cached for exporters and tools.
 */
export class EgressSynthesizer {
  public static of(scope: IConstruct): EgressSynthesizer {
    return ensureSynthesizer(scope);
  }

  /** Where this app's warnings went. */
  public readonly reporter = new SynthReporter();
  private document?: EgressModelDocument;
  private requests = new OutputRequests();
  /** The constructs that contributed to `document`, by path: the scopes backends render into. */
  private contributors = new Map<string, Construct>();
  private rendered = false;

  constructor(private readonly root: IConstruct) {}

  /** The model of the app (built on first use). */
  public model(): EgressModelDocument {
    if (!this.document) {
      const builder = new ModelBuilder();
      const contributors = new Map<string, Construct>();
      for (const c of this.root.node.findAll()) {
        if (isModelContributor(c)) {
          c._contribute(builder);
          contributors.set(c._modelPath ?? c.node.path, c as Construct);
        }
      }
      this.document = builder.build();
      this.requests = builder.requests;
      this.contributors = contributors;
    }
    return this.document;
  }

  /**
   * A scope for a declaration that has no construct of its own (an AllowExternal's inline destinations are
   * declared at "<rule>/Destinations"): created under the closest construct on the path when first needed,
   * so rendered objects keep the path the declaration names.
   */
  private scopeUnder(path: string, byPath: Map<string, Construct>): Construct {
    const parts = path.split('/');
    for (let i = parts.length - 1; i > 0; i--) {
      let scope = byPath.get(parts.slice(0, i).join('/'));
      if (!scope) continue;
      for (let j = i; j < parts.length; j++) {
        scope = new Construct(scope, parts[j]);
        byPath.set(scope.node.path, scope);
      }
      return scope;
    }
    throw new Error(`internal: no construct at ${path}`);
  }

  /** Runs the pipeline, once. */
  public render(): void {
    if (this.rendered) return;
    this.document = undefined; // constructs may have been added since an earlier model() call
    const doc = this.model();
    this.rendered = true;
    // Model paths are the paths of the contributing constructs, collected while building the model (no
    // second walk of the whole tree); any other path falls back to one full walk.
    const byPath = this.contributors;
    let walked = false;
    const scopeFor = (path: string) => {
      let c = byPath.get(path);
      if (!c && !walked) {
        walked = true;
        for (const x of this.root.node.findAll()) if (!byPath.has(x.node.path)) byPath.set(x.node.path, x as Construct);
        c = byPath.get(path);
      }
      if (!c) c = this.scopeUnder(path, byPath);
      return c;
    };
    const input: EmitterInput = { document: doc, requests: this.requests, scopeFor };
    for (const emitter of PIPELINE) {
      const errors = new ValidationErrors();
      emitter.unsupported(input).forEach(p => errors.add(p));
      errors.throwIfAny(emitter.name);
      const output: EmitterOutput = {
        writeFile: (file, content) => {
          fs.mkdirSync(dirname(file), { recursive: true });
          fs.writeFileSync(file, content);
        },
        warn: (at, message) => this.reporter.warn(emitter.name, at, message),
      };
      emitter.render(input, output);
    }
  }
}
