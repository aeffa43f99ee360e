/**
 * One synthesis, in its own process so that peak RSS belongs to this run alone:
 *   synth-run.ts <ours|lists|plus>[-fast] <zones> <rules>
 * ours: the full estate (zones, rules, NAT pools); lists: the same without NAT pools, i.e. exactly the
 * allow-lists that plus (cdk8s-plus-28 NetworkPolicies) renders. "-fast" builds the same estate in an
 * EgressApp (cdk8s App with the fast, byte-identical YAML writer) instead of a cdk8s App.
 * ours-unchecked-fast: ours-fast with Calico's policy check stubbed out, i.e. the path synth took before the
 * check became the only one (policies rendered from the model were not checked outside tests): the baseline
 * of the "checked/unchecked" ratio. Only the bench does this; the library has no switch.
 * Prints one JSON line: build and synth times (ms), peak RSS, RSS before building, YAML size and hash.
 */
import { createHash } from 'crypto';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { buildOurs, buildPlus } from './workload';
import { EgressApp } from '../src';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const policyCheck = require('../src/calico/private/validate-policy');

const [kind, n, m] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
if (kind.includes('-unchecked')) policyCheck.validatePolicySpec = () => undefined;
const baseRss = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const newApp = (): App => (kind.endsWith('-fast') ? new EgressApp() : new App());
const app = kind.startsWith('plus') ? buildPlus(n, m, newApp()) : buildOurs(n, m, newApp(), { natPools: !kind.startsWith('lists') });
const t1 = performance.now();
const yaml = app.synthYaml();
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({
  kind, n, m,
  buildMs: t1 - t0,
  synthMs: t2 - t1,
  totalMs: t2 - t0,
  // CPU time (user + system) of build + synth: steadier than wall time when neighbours load the machine.
  cpuMs: (cpu.user + cpu.system) / 1000,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  baseRssMiB: baseRss / 1048576,
  yamlBytes: yaml.length,
  // Compared by bench/main.ts: an EgressApp must write exactly what the cdk8s App writes.
  yamlSha256: createHash('sha256').update(yaml).digest('hex'),
  objects: (yaml.match(/^kind: /gm) ?? []).length,
}) + '\n');
