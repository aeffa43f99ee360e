/** Diagnostic (not part of `npm run bench`): time and retained heap per synthesis phase. node --expose-gc */
import { performance } from 'perf_hooks';
import { Chart, Yaml } from 'cdk8s';
import { buildOurs, buildPlus } from './workload';

const [kind, n, m] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const gc = (global as any).gc as () => void;
const heap = () => { gc(); return (process.memoryUsage().heapUsed / 1048576).toFixed(0) + ' MiB'; };
let t = performance.now();
const lap = (what: string) => { const now = performance.now(); console.log(what.padEnd(10), (now - t).toFixed(0).padStart(6), 'ms', heap()); t = performance.now(); };
const app = kind === 'ours' ? buildOurs(n, m) : buildPlus(n, m);
lap('build');
for (const c of app.node.findAll()) c.node.validate();
lap('validate');
const docs: any[] = [];
for (const chart of app.node.children) docs.push(...(chart as Chart).toJson());
lap('toJson');
const yaml = Yaml.stringify(...docs);
lap('yaml');
console.log(yaml.length);
