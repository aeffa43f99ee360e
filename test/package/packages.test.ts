/**
 * The packages users install: what `npm pack` publishes, and every language's package built by jsii-pacmak,
 * installed with its real dependencies (npm, PyPI, Maven Central, the Go proxy) and run through its quick start
 * (scripts/packages/build-and-run.sh). One file, so the jsii compile of both never runs in parallel.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { headingSlugs, relativeLinks } from './markdown';
import { readmeApp, runReadmeApp } from './readme-app';

const root = path.join(__dirname, '..', '..');

function have(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function compiled(): void {
  if (!fs.existsSync(path.join(root, 'lib', 'index.js')) || !fs.existsSync(path.join(root, '.jsii'))) {
    // A fresh clone has no build output: compile exactly as `projen compile` does.
    execFileSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: root, stdio: 'pipe' });
  }
}

function packedFiles(): string[] {
  compiled();
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out)[0].files as { path: string }[]).map(f => f.path).sort();
}

test('npm pack ships lib, .jsii, API.md, README and what it links to, LICENSE and the bundled ipaddr.js and Graphviz only', () => {
  const files = packedFiles();
  for (const required of ['lib/index.js', 'lib/index.d.ts', 'lib/cli/main.js', '.jsii', 'API.md', 'README.md', 'LICENSE', 'package.json',
    'docs/architecture.md', 'BENCHMARKS.md', 'examples/quickstart/typescript/main.ts']) {
    expect(files).toContain(required);
  }
  expect(files.some(f => f.startsWith('node_modules/ipaddr.js/'))).toBe(true);
  expect(files).toContain('node_modules/@hpcc-js/wasm-graphviz/dist/index.js');
  // README's quick starts ship as the files they are (examples/quickstart/); nothing else of examples/ does.
  const shipped = (f: string) => f.startsWith('node_modules/') || f.startsWith('examples/quickstart/');
  const forbidden = files.filter(f => /^(src|test|examples|bench|images|scripts|\.ci|\.projen|coverage|test-reports|dist|artifacts)\//.test(f) && !shipped(f)
    || !shipped(f) && (f.endsWith('.ts') && !f.endsWith('.d.ts') || f.endsWith('.sh')) || f === 'cdk8s.yaml');
  expect(forbidden).toEqual([]);
  // The agents' heavy runtime dependencies never reach library users.
  expect(files.some(f => f.startsWith('lib/agent/'))).toBe(false);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  // Runtime dependencies are few, dependency-free and bundled (jsii packages cannot depend on non-jsii ones).
  expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['@hpcc-js/wasm-graphviz', 'ipaddr.js']);
  expect([...pkg.bundledDependencies].sort()).toEqual(['@hpcc-js/wasm-graphviz', 'ipaddr.js']);
}, 300_000);

test('every relative link of the packed README resolves inside the package (file, folder and #heading)', () => {
  const files = packedFiles();
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const links = relativeLinks(readme);
  expect(links).toEqual(expect.arrayContaining(['docs/architecture.md', 'examples/quickstart/typescript/', '#large-estates']));
  const dead = links.filter(link => {
    const [file, anchor] = link.split('#');
    const target = file === '' ? 'README.md' : path.posix.normalize(file);
    const exists = target.endsWith('/') ? files.some(f => f.startsWith(target)) : files.includes(target);
    if (!exists) return true;
    return anchor !== undefined && !headingSlugs(fs.readFileSync(path.join(root, target), 'utf8')).includes(anchor);
  });
  expect(dead).toEqual([]);
}, 300_000);

test('README\'s "Use it in your app", run as written against the packed package, writes the quick start\'s policy', () => {
  const app = readmeApp(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
  expect([...app.files.keys()]).toEqual(expect.arrayContaining(['cdk8s.yaml', 'main.ts']));
  compiled();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-readme-app-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    const tarball = path.join(tmp, packed[0].filename);
    const dir = path.join(tmp, 'app');
    fs.mkdirSync(dir);
    const ran = runReadmeApp(app, tarball, dir);
    expect(ran.filter(c => c.includes(tarball))).toHaveLength(1);
    expect(ran[ran.length - 1]).toBe('npx cdk8s synth');

    const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', 'egress.k8s.yaml'), 'utf8')).map(d => d.toJS());
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['GlobalNetworkPolicy/egress-payments', 'IPPool/payments-pool']);
    const pool = objects.find(o => o.kind === 'IPPool');
    expect(pool.spec).toMatchObject({ cidr: '10.250.0.0/24', natOutgoing: false, namespaceSelector: 'kubernetes.io/metadata.name in {"payments"}' });
    const policy = objects.find(o => o.kind === 'GlobalNetworkPolicy');
    expect(policy.spec.selector).toContain('app == "payments-api"');
    const allowed = policy.spec.egress.filter((r: any) => r.action === 'Allow' && r.destination?.nets?.includes('203.0.113.0/24'));
    expect(allowed.map((r: any) => [r.protocol, r.destination.ports])).toEqual([['TCP', [443]]]);
    expect(policy.spec.egress[policy.spec.egress.length - 1].action).toBe('Deny');
    // …and it says how to build the package it installs until it is published.
    expect(app.text).toMatch(/`[^`]*npm pack`/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 10 * 60_000);

const tools = ['python3', 'java', 'mvn', 'go'];
const missing = tools.filter(t => !have(t));
// CI has every tool; a developer without one of them sees why the test did not run.
const runAll = missing.length === 0 || process.env.CI ? test : test.skip;
if (missing.length > 0 && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.log(`Skipping the Python/Java/Go package test: ${missing.join(', ')} not found`);
}

runAll('every language\'s package installs with its real dependencies and its quick start writes the TypeScript YAML', () => {
  const packages = fs.mkdtempSync(path.join(os.tmpdir(), 'egress-packages-'));
  try {
    let log: string;
    try {
      log = execFileSync(path.join(root, 'scripts', 'packages', 'build-and-run.sh'), [], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PACKAGES_DIR: packages },
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`build-and-run.sh failed:\n${err.stdout ?? ''}\n${(err.stderr ?? '').split('\n').filter(l => !l.includes('!!')).slice(-60).join('\n')}`);
    }
    // eslint-disable-next-line no-control-regex
    const lines = log.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    // eslint-disable-next-line no-console
    console.log(lines.filter(l => /^(==|ok |FAIL |stand-in|packages:|  \S)/.test(l) || /passed/.test(l)).join('\n'));

    const identical = ['python', 'java', 'go']
      .filter(language => lines.some(l => l.startsWith(`ok ${language}: dist/egress.k8s.yaml is byte-identical to TypeScript's`)));
    expect(identical).toEqual(['python', 'java', 'go']);
    expect(lines.some(l => l.startsWith('FAIL '))).toBe(false);
    expect(lines).toContain('quick starts and Python tests: 7 passed, 0 failed');
    expect(lines.some(l => /^\d+ passed in /.test(l) && !/failed/.test(l))).toBe(true);

    // The one folder holds every language's package.
    expect(fs.readdirSync(path.join(packages, 'js'))).toContain('cdk8s-egress@0.0.0.jsii.tgz');
    expect(fs.readdirSync(path.join(packages, 'python')).filter(f => f.endsWith('.whl'))).toHaveLength(1);
    expect(fs.existsSync(path.join(packages, 'java', 'io', 'github', 'cdk8s-egress', 'cdk8s-egress', '0.0.0', 'cdk8s-egress-0.0.0.jar'))).toBe(true);
    expect(fs.readFileSync(path.join(packages, 'go', 'cdk8segress', 'go.mod'), 'utf8')).toMatch(/^module github\.com\/cdk8s-egress\/cdk8s-egress-go\/cdk8segress$/m);
  } finally {
    fs.rmSync(packages, { recursive: true, force: true });
  }
}, 40 * 60_000);
