/**
 * The layers of docs/architecture.md, checked on the import graph of src/ (type-only imports included):
 * nothing imports a higher layer, and no file imports itself through others, src/agent (built apart, by
 * tsconfig.agent.json) included: what `npx madge --circular --extensions ts src` reports.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');
/** Lower numbers are lower layers; a file may import its own layer and the ones below. */
const RANK: { [folder: string]: number } = {
  'model': 0,
  'calico': 1,
  'cilium': 1,
  'datapath': 1,
  'backends': 2,
  'exporters': 2,
  'review': 2,
  'synth': 3,
  'constructs': 4,
  'cli': 5,
  'agent': 5,
  '.': 5,
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find(f => fs.existsSync(f));
}

const layerOf = (file: string) => {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length === 1 ? '.' : parts[0];
};

const graph = new Map<string, string[]>();
for (const file of sources(SRC)) {
  const imports = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles
    .filter(i => i.fileName.startsWith('.'))
    .map(i => resolve(file, i.fileName))
    .filter((f): f is string => f !== undefined);
  graph.set(file, imports);
}
const rel = (f: string) => path.relative(SRC, f);

test('no import runs from a lower layer to a higher one', () => {
  const upward = [...graph].flatMap(([file, imports]) => imports
    .filter(t => RANK[layerOf(t)] > RANK[layerOf(file)])
    .map(t => `${rel(file)} -> ${rel(t)}`));
  expect(upward).toEqual([]);
});

test('no import cycles anywhere in src', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map(rel).join(' > '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  // The walk saw every file, the agents' too, and their imports.
  expect(state.size).toBe(graph.size);
  expect([...graph].filter(([f, imports]) => layerOf(f) === 'agent' && imports.length > 0).length).toBeGreaterThan(10);
  expect(cycles).toEqual([]);
});
