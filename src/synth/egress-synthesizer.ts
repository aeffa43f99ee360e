import { Construct, IConstruct } from 'constructs';
import { ModelBuilder } from './model-builder';
import { isModelContributor } from './model-contributor';
import { backendRenderer, RenderSelection } from '../backends/backend-renderer';
import { renderFromModel } from '../calico/private/rendered-by-library';
import { EgressModelDocument } from '../model/egress-model';
import { ValidationErrors } from '../model/errors';
import '../backends/register-all';

const synthesizers = new WeakMap<IConstruct, EgressSynthesizer>();

/** Makes sure the app that `scope` belongs to renders the egress model at synth time. */
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
 * Builds the egress model of one app from its constructs and renders it through the backends.
 * Happens once per app; the model is cached for exporters and tools.
 */
export class EgressSynthesizer {
  public static of(scope: IConstruct): EgressSynthesizer {
    return ensureSynthesizer(scope);
  }

  private document?: EgressModelDocument;
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

  /** Renders the model into API objects, once. */
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
    const setsByName = new Map(doc.destinationSets.map(s => [s.name, s]));
    const poolsByName = new Map(doc.natPools.map(p => [p.name, p]));
    const backends = [...new Set(doc.zones.map(z => z.backend))].sort();
    if (backends.length === 0) backends.push('calico');
    const usedPools = new Set(doc.zones.flatMap(z => z.exit.natPools));
    const selections: { name: string; selection: RenderSelection }[] = backends.map(name => {
      const zones = doc.zones.filter(z => z.backend === name);
      const setNames = new Set(zones.flatMap(z => z.rules.flatMap(r => r.destinationSets)));
      const poolNames = new Set(zones.flatMap(z => z.exit.natPools));
      // Pools no zone uses are still the platform's pools: the Calico backend (the default) renders them.
      if (name === 'calico' || (!backends.includes('calico') && name === backends[0])) {
        doc.natPools.filter(p => !usedPools.has(p.name)).forEach(p => poolNames.add(p.name));
      }
      return {
        name,
        selection: {
          document: doc,
          zones,
          destinationSets: [...setNames].sort().map(n => setsByName.get(n)!).filter(Boolean),
          natPools: [...poolNames].sort().map(n => poolsByName.get(n)!).filter(Boolean),
          scopeFor,
        },
      };
    });
    const errors = new ValidationErrors();
    for (const { name, selection } of selections) {
      for (const problem of backendRenderer(name).unsupported(selection)) errors.add(problem);
    }
    errors.throwIfAny('egress backends');
    for (const { name, selection } of selections) renderFromModel(() => backendRenderer(name).render(selection));
  }
}
