/**
 * Selector parsing throughput: Selector.parse over a realistic mix (the selectors zones, pools and rules
 * carry), repeated for a fixed time:  selector-run.ts <milliseconds> <runs>
 */
import { performance } from 'perf_hooks';
import { Selector } from '../src/model/selector';

export const SELECTOR_MIX = [
  'app == "payments-api"',
  'k8s-app == "kube-dns"',
  'all()',
  'has(egress.cdk8s.io/destination-set)',
  'egress.cdk8s.io/destination-set == "object-storage"',
  'egress.cdk8s.io/destination-set in {"card-processor", "object-storage", "sftp"}',
  'projectcalico.org/name in {"batch", "reporting"}',
  'app == "checkout" && tier in {"api", "worker"} && !has(canary)',
  '(environment == "prod" || environment == "staging") && team != "sandbox"',
  'kubernetes.io/metadata.name == "payments" && has(egress.cdk8s.io/zone)',
  "role in {'frontend','backend'} && version not in {'v1'}",
  'app.kubernetes.io/name starts with "ingress-" && app.kubernetes.io/component contains "ctrl"',
  '!has(egress.cdk8s.io/destination-set)',
  'global()',
  'node-role.kubernetes.io/egress-gateway == "" || topology.kubernetes.io/zone in {"eu-west-1a", "eu-west-1b"}',
];

const ms = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 5);
let sink = 0;
for (const s of SELECTOR_MIX) sink += Selector.parse(s).toString().length; // validates the mix, warms up
const rates: number[] = [];
for (let r = 0; r < runs; r++) {
  let count = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    for (const s of SELECTOR_MIX) sink += Selector.parse(s).toString().length;
    count += SELECTOR_MIX.length;
    now = performance.now();
  }
  rates.push(count / ((now - t0) / 1000));
}
rates.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ selectors: SELECTOR_MIX.length, parsesPerSecond: rates[Math.floor(rates.length / 2)], runs, sink: sink > 0 }) + '\n');
