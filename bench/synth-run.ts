/**
 * One synthesis, in its own process so that peak RSS belongs to this run alone:
 *   synth-run.ts <ours|plus> <zones> <rules>
 * Prints one JSON line: build and synth times (ms), peak RSS, RSS before building, YAML size.
 */
import { performance } from 'perf_hooks';
import { buildOurs, buildPlus } from './workload';

const [kind, n, m] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const baseRss = process.memoryUsage().rss;
const t0 = performance.now();
const app = kind === 'ours' ? buildOurs(n, m) : buildPlus(n, m);
const t1 = performance.now();
const yaml = app.synthYaml();
const t2 = performance.now();
process.stdout.write(JSON.stringify({
  kind, n, m,
  buildMs: t1 - t0,
  synthMs: t2 - t1,
  totalMs: t2 - t0,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  baseRssMiB: baseRss / 1048576,
  yamlBytes: yaml.length,
  objects: (yaml.match(/^kind: /gm) ?? []).length,
}) + '\n');
