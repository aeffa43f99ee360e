/**
 * EgressApp writes what cdk8s's App writes (same files, same bytes) for every YamlOutputType and for the
 * example estate on every backend, with the fast YAML writer, and always puts cdk8s's Yaml.stringify back.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressEstate } from '../../examples/app/main';
import { EgressApp } from '../../src';
import { resetYamlWriterStats, stringifyDocs, yamlWriterStats } from '../../src/constructs/yaml-writer';
import { exampleWarnings } from '../support/example-warnings';
import { expectWarnings } from '../support/warnings';

const ORIGINAL_STRINGIFY = Yaml.stringify;
const BACKENDS = ['calico', 'calico-enterprise', 'cilium', 'kubernetes'];
const tmpDirs: string[] = [];

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-app-'));
  tmpDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(Yaml.stringify).toBe(ORIGINAL_STRINGIFY);
});

/** Every file under `dir`, by relative path, with its bytes. */
function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = fs.readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return files;
}

function withBackend<T>(backend: string | undefined, fn: () => T): T {
  const before = process.env.BACKEND;
  if (backend === undefined) delete process.env.BACKEND;
  else process.env.BACKEND = backend;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.BACKEND;
    else process.env.BACKEND = before;
  }
}

/** Plain objects of every kind the writer meets, including ones it leaves to cdk8s (multi-line, null, float). */
class Misc extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true, labels: { 'app.kubernetes.io/part-of': 'egress' } });
    new ApiObject(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config', annotations: { 'egress.cdk8s.io/note': 'on', 'x': '1:30' } },
      data: { 'config.json': '{\n  "a": 1\n}\n', 'flag': 'yes', 'empty': '' },
    });
    new ApiObject(this, 'policy', {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'allow-dns' },
      spec: {
        order: 10,
        selector: 'projectcalico.org/namespace in {"a", "b"}',
        types: ['Egress'],
        egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53, '9000:9100'], nets: ['10.96.0.10/32', 'fd00::/8'] } }],
        ingress: [],
      },
    });
    new ApiObject(this, 'odd', { apiVersion: 'v1', kind: 'Odd', metadata: { name: 'odd' }, spec: { weight: 0.5, missing: null, nested: [[1, []], [{}]], empty: {} } });
  }
}

function buildApp(kind: 'cdk8s' | 'egress', props: AppProps, backend?: string): App {
  const app = kind === 'cdk8s' ? new App(props) : new EgressApp(props);
  const misc = new Misc(app, 'misc');
  withBackend(backend, () => {
    const estate = new EgressEstate(app, 'egress');
    // A dependency between charts makes cdk8s name files with an index (IndexedChartNamer).
    estate.addDependency(misc);
  });
  return app;
}

describe('EgressApp.synth() writes the same files as App.synth()', () => {
  const outputTypes: [string, YamlOutputType][] = [
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
    ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
  ];

  test.each(outputTypes)('%s', (_name, yamlOutputType) => {
    const expectedDir = tmpDir();
    expectWarnings(exampleWarnings(), () => buildApp('cdk8s', { outdir: expectedDir, yamlOutputType, recordConstructMetadata: true }).synth());
    const actualDir = tmpDir();
    resetYamlWriterStats();
    expectWarnings(exampleWarnings(), () => buildApp('egress', { outdir: actualDir, yamlOutputType, recordConstructMetadata: true }).synth());
    const stats = yamlWriterStats();

    const expected = readTree(expectedDir);
    const actual = readTree(actualDir);
    expect(Object.keys(expected).filter(f => f.endsWith('.k8s.yaml')).length).toBeGreaterThan(0);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const file of Object.keys(expected)) expect([file, actual[file]]).toEqual([file, expected[file]]);
    // The fast writer did the work (most documents), and cdk8s's serializer is back.
    expect(stats.fast).toBeGreaterThan(stats.fallback);
    expect(Yaml.stringify).toBe(ORIGINAL_STRINGIFY);
  });

  test('the default props write the same as App with default props', () => {
    const before = process.env.CDK8S_OUTDIR;
    const dirs = [tmpDir(), tmpDir()];
    try {
      process.env.CDK8S_OUTDIR = dirs[0];
      expectWarnings(exampleWarnings(), () => buildApp('cdk8s', {}).synth());
      process.env.CDK8S_OUTDIR = dirs[1];
      const app = new EgressApp();
      new Misc(app, 'misc');
      new EgressEstate(app, 'egress').addDependency(app.node.findChild('misc') as Chart);
      expect(app.outdir).toBe(dirs[1]);
      expectWarnings(exampleWarnings(), () => app.synth());
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
    expect(readTree(dirs[1])).toEqual(readTree(dirs[0]));
  });
});

describe('the example estate, on every backend: EgressApp.synthYaml() is App.synthYaml()', () => {
  test.each([undefined, ...BACKENDS])('BACKEND=%s', backend => {
    const synthYaml = (kind: 'cdk8s' | 'egress') => withBackend(backend, () => {
      const app = kind === 'cdk8s' ? new App({ outdir: tmpDir() }) : new EgressApp({ outdir: tmpDir() });
      new EgressEstate(app, 'egress');
      return expectWarnings(exampleWarnings(backend), () => app.synthYaml());
    });
    const expected = synthYaml('cdk8s');
    resetYamlWriterStats();
    const actual = synthYaml('egress');
    const stats = yamlWriterStats();
    expect(actual).toBe(expected);
    expect(expected.length).toBeGreaterThan(1000);
    // Most of the example's objects are written by the fast path (the rest have multi-line strings).
    expect(stats.fast).toBeGreaterThan(0);
    expect(stats.fast / (stats.fast + stats.fallback)).toBeGreaterThan(0.8);
  });
});

describe('the swap of Yaml.stringify is scoped to the synth call', () => {
  class Failing extends Chart {
    constructor(scope: Construct, id: string) {
      super(scope, id);
      new ApiObject(this, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
      this.node.addValidation({ validate: () => ['boom: this chart is invalid'] });
    }
  }

  test('during synth the fast writer is installed; afterwards cdk8s\'s is back', () => {
    const seen: unknown[] = [];
    const app = new EgressApp({ outdir: tmpDir() });
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    chart.node.addValidation({ validate: () => { seen.push(Yaml.stringify); return []; } });
    app.synth();
    app.synthYaml();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.filter(s => s !== stringifyDocs)).toEqual([]);
    expect(Yaml.stringify).toBe(ORIGINAL_STRINGIFY);
  });

  test('restored when synth() and synthYaml() throw', () => {
    const app = new EgressApp({ outdir: tmpDir() });
    new Failing(app, 'failing');
    expect(() => app.synth()).toThrow(/boom/);
    expect(Yaml.stringify).toBe(ORIGINAL_STRINGIFY);
    expect(() => app.synthYaml()).toThrow(/boom/);
    expect(Yaml.stringify).toBe(ORIGINAL_STRINGIFY);
  });

  test('restores whatever was installed before, and never asks it (the oracle is cdk8s\'s own)', () => {
    const expected = (() => {
      const app = new App({ outdir: tmpDir() });
      new Misc(app, 'misc');
      return app.synthYaml();
    })();
    const other = (..._docs: any[]) => 'replaced\n';
    Yaml.stringify = other;
    try {
      const app = new EgressApp({ outdir: tmpDir() });
      new Misc(app, 'misc');
      expect(app.synthYaml()).toBe(expected);
      expect(Yaml.stringify).toBe(other);
    } finally {
      Yaml.stringify = ORIGINAL_STRINGIFY;
    }
  });
});

describe('EgressApp.charts is App.charts', () => {
  type Shape = (app: App) => void;
  const names = (charts: Chart[]) => charts.map(c => c.node.path);
  const shapes: [string, Shape][] = [
    ['independent charts (the fast path: tree order)', app => { new Chart(app, 'b'); new Chart(app, 'a'); new Chart(app, 'c'); }],
    ['nested charts', app => { const p = new Chart(app, 'parent'); new Chart(p, 'child'); new Chart(app, 'other'); }],
    ['a dependency between charts', app => { const a = new Chart(app, 'a'); const b = new Chart(app, 'b'); a.addDependency(b); }],
    ['a dependency between objects of two charts', app => {
      const a = new Chart(app, 'a');
      const b = new Chart(app, 'b');
      new ApiObject(a, 'x', { apiVersion: 'v1', kind: 'ConfigMap' }).node.addDependency(new ApiObject(b, 'y', { apiVersion: 'v1', kind: 'ConfigMap' }));
    }],
    ['array-index-like chart ids', app => { new Chart(app, 'z'); new Chart(app, '10'); new Chart(app, '2'); }],
  ];

  test.each(shapes)('%s', (_name, shape) => {
    const run = (app: App) => {
      shape(app);
      app.synthYaml(); // resolves the implicit chart dependencies first, as synth does
      return names(app.charts);
    };
    expect(run(new EgressApp({ outdir: tmpDir() }))).toEqual(run(new App({ outdir: tmpDir() })));
  });

  test('the fast path lists the charts in tree order', () => {
    const app = new EgressApp({ outdir: tmpDir() });
    shapes[0][1](app);
    expect(names(app.charts)).toEqual(['b', 'a', 'c']);
  });
});
