import { App, AppProps, Chart, Yaml } from 'cdk8s';
import { stringifyDocs } from './yaml-writer';

/**
 * Runs `fn` with cdk8s's `Yaml.stringify` replaced by the fast writer, and puts the previous one back
 * afterwards, also when `fn` throws.
 *
 * cdk8s has no hook for its serializer: `App.synth()` (through `Yaml.save`) and `App.synthYaml()` call the
 * static `Yaml.stringify` of its exported `Yaml` class at run time. Synthesis is synchronous, so the swap is
 * scoped to exactly this call. The fast writer asks the serializer it captured when it was loaded (never the
 * swapped one) whenever it is unsure, so its output stays cdk8s's own.
 */
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

function withFastYaml<T>(fn: () => T): T {
  const previous = Yaml.stringify;
  Yaml.stringify = stringifyDocs;
  try {
    return fn();
  } finally {
    Yaml.stringify = previous;
  }
}

/**
 * A cdk8s `App` that writes its manifests with a faster YAML writer.
 *
 * Output is byte-for-byte what `App` writes (same files, same bytes, for every `YamlOutputType`), so switching
 * an app from `App` to `EgressApp` changes no manifest. Only the time spent turning objects into YAML, the
 * largest cost of synthesizing a large estate, goes down. Objects the fast writer cannot prove it writes
 * identically (multi-line strings, floats, nulls, repeated object references, ...) are written by cdk8s's
 * own serializer.
 *
 * Use it wherever an `App` is created: `new EgressApp({ outdir: 'dist' })` takes the same props.
 */
export class EgressApp extends App {
  /**
   * Defines an app.
   *
   * @param props the same options as cdk8s's `App`.
   */
  constructor(props: AppProps = {}) {
    super(props);
  }

  /**
   * All the charts in this app, sorted topologically: exactly `App.charts`.
   *
   * cdk8s builds a dependency graph of every construct of the app to order its charts (about a second for
   * 100,000 constructs). When no construct has a dependency (after cdk8s has added the chart dependencies
   * that nesting and cross-chart references imply), that graph has no edges and its order is the tree's
   * pre-order: the charts are listed in that order directly. Anything else is left to cdk8s.
   */
  public get charts(): Chart[] {
    const all = this.node.findAll();
    for (const c of all) {
      // An array-index-like path would be ordered first by the object cdk8s keys its graph by.
      if (c.node.dependencies.length > 0 || ARRAY_INDEX.test(c.node.path)) return super.charts;
    }
    return all.filter((c): c is Chart => c instanceof Chart);
  }

  /**
   * Synthesizes all manifests to the output directory, exactly as `App.synth()` does, with the fast writer.
   */
  public synth(): void {
    withFastYaml(() => super.synth());
  }

  /**
   * Synthesizes the app into a YAML string, exactly as `App.synthYaml()` does, with the fast writer.
   *
   * @returns A string with all YAML objects across all charts in this app.
   */
  public synthYaml(): string {
    return withFastYaml(() => super.synthYaml());
  }
}
