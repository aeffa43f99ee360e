/**
 * cdk8s's YAML serializer vs the fast writer (src/synth/yaml-writer.ts), in one process, on the benchmark
 * estate's documents:
 *   yaml-run.ts [zones=5000] [rules=20]
 * Compile and run like the `bench` task: tsc --outDir .bench/build --rootDir . --module commonjs --target es2022
 *   --noCheck --skipLibCheck --esModuleInterop bench/yaml-run.ts && node .bench/build/bench/yaml-run.js
 * Times `Yaml.stringify(...docs)` and `stringifyDocs(...docs)` interleaved (median of 3 each), checks that
 * the strings are equal, and prints one JSON line.
 */
import { performance } from 'perf_hooks';
import { Chart, Yaml } from 'cdk8s';
import { buildOurs } from './workload';
import { resetYamlWriterStats, stringifyDocs, yamlWriterStats } from '../src/constructs/yaml-writer';

const [n, m] = [Number(process.argv[2] ?? 5000), Number(process.argv[3] ?? 20)];
const app = buildOurs(n, m);
const docs: any[] = [];
for (const chart of app.charts as Chart[]) docs.push(...Object.values(chart.toJson()));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cdk8sMs: number[] = [];
const fastMs: number[] = [];
let expected = '';
let actual = '';
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  expected = Yaml.stringify(...docs);
  cdk8sMs.push(performance.now() - t);
  resetYamlWriterStats();
  t = performance.now();
  actual = stringifyDocs(...docs);
  fastMs.push(performance.now() - t);
}
const stats = yamlWriterStats();
process.stdout.write(JSON.stringify({
  n, m,
  documents: docs.length,
  yamlBytes: expected.length,
  identical: expected === actual,
  cdk8sMs: median(cdk8sMs),
  fastMs: median(fastMs),
  cdk8sRoundsMs: cdk8sMs.map(Math.round),
  // The first round of the fast writer also fills its caches (asks cdk8s about every new string).
  fastRoundsMs: fastMs.map(Math.round),
  ratio: median(fastMs) / median(cdk8sMs),
  fastPathDocs: stats.fast,
  fallbackDocs: stats.fallback,
}) + '\n');
if (expected !== actual) process.exitCode = 1;
