/**
 * `npm run bench:datapath -- --dns` — the node agent's DNS proxy (issue 25, BENCHMARKS.md "## Domain rules").
 * Runs itself again inside `unshare -n` (a throw-away network namespace: real nft, nothing on the host touched):
 * an upstream DNS server (every name its own fresh address, TTL 1) on 127.0.0.1:5300, the DnsEnforcer with the
 * real kernel (nft) in a child process pinned to one core, and a client on the other core whose source
 * 10.201.1.10 is a zone pod. Every query is a new name, so every answer costs an nft transaction (worst case).
 *
 *   latency     p50/p99 of a lookup: direct to the upstream (baseline) vs through the proxy, sequential
 *   throughput  lookups/s through the proxy, 64 in flight, for --seconds
 *   memory      the agent's heap and the kernel's slab growth per 10,000 learned addresses
 * Options: --rounds N (5) --queries N (2000 per latency round) --seconds S (3)
 */
import { spawn, spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const POD = '10.201.1.10';
/** The children run this file's TypeScript as the parent does (ts-node, types not checked). */
const TS = __filename.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
const PROXY = { address: '169.254.101.53', port: 10053 };

function name(i: number): Buffer {
  const n = `n${i}.bench.test`;
  return Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}
function query(id: number, i: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0); h.writeUInt16BE(0x0100, 2); h.writeUInt16BE(1, 4);
  return Buffer.concat([h, name(i), Buffer.from([0, 1, 0, 1])]);
}

/** Upstream: answers n<i>.bench.test with 100.64.x.y from i (a fresh address per name). */
function upstream(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  s.on('message', (q, r) => {
    const labelLen = q[12];
    const i = Number(q.toString('latin1', 14, 13 + labelLen));
    const qEnd = q.length;
    const h = Buffer.from(q.subarray(0, qEnd));
    h.writeUInt16BE(0x8180, 2); h.writeUInt16BE(1, 6);
    const rr = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 100, 64 + ((i >> 16) & 63), (i >> 8) & 255, i & 255]);
    s.send(Buffer.concat([h, rr]), r.port, r.address);
  });
  return new Promise((res) => s.bind(5300, '127.0.0.1', () => res(s)));
}

/** Sends queries from `from` to `to`, `inFlight` at a time; returns each one's latency (ms). */
async function load(to: { address: string; port: number }, first: number, count: number, inFlight: number, deadlineMs = Infinity): Promise<number[]> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, POD, () => res()));
  const started = new Map<number, number>();
  const lat: number[] = [];
  let next = first;
  const end = first + count;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    // A lost datagram would stall the run: after 5 s without progress it fails instead.
    let progress = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - progress > 5000) { clearInterval(watchdog); sock.close(); reject(new Error(`no answer for 5 s (${lat.length} answered)`)); }
    }, 1000);
    const send = () => {
      if (next >= end || Date.now() - t0 > deadlineMs) return;
      const id = next++ & 0xffff;
      started.set(id, performance.now());
      sock.send(query(id, next - 1), to.port, to.address);
    };
    sock.on('message', (m) => {
      const id = m.readUInt16BE(0);
      const t = started.get(id);
      if (t === undefined) return;
      started.delete(id);
      lat.push(performance.now() - t);
      progress = Date.now();
      if (started.size === 0 && (next >= end || Date.now() - t0 > deadlineMs)) { clearInterval(watchdog); sock.close(); resolve(lat); return; }
      send();
    });
    for (let i = 0; i < inFlight; i++) send();
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const med = (xs: number[]) => pct(xs, 0.5);
const mmm = (xs: number[], f = (x: number) => x.toFixed(2)) => `${f(Math.min(...xs))} / ${f(med(xs))} / ${f(Math.max(...xs))}`;

async function inside(): Promise<void> {
  for (const c of ['ip link set lo up', `ip addr add ${POD}/32 dev lo`]) spawnSync('sh', ['-c', c]);
  const up = await upstream();
  const agent = spawn('taskset', ['-c', '1', process.execPath, '--expose-gc', ...TS, __filename, '--agent'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    agent.stdout!.on('data', (d) => { if (/serving/.test(String(d))) res(); });
    agent.on('exit', (code) => rej(new Error(`the agent side exited (${code}) before serving`)));
  });
  const rounds = Number(arg('rounds', '5'));
  const n = Number(arg('queries', '2000'));
  const seconds = Number(arg('seconds', '3'));
  let base = 1;
  const out = { direct50: [] as number[], direct99: [] as number[], proxy50: [] as number[], proxy99: [] as number[], perSecond: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const direct = await load({ address: '127.0.0.1', port: 5300 }, base, n, 1); base += n;
    const proxied = await load(PROXY, base, n, 1); base += n;
    out.direct50.push(med(direct)); out.direct99.push(pct(direct, 0.99));
    out.proxy50.push(med(proxied)); out.proxy99.push(pct(proxied, 0.99));
    const t0 = performance.now();
    const many = await load(PROXY, base, 10_000_000, 64, seconds * 1000); base += many.length;
    out.perSecond.push(many.length / ((performance.now() - t0) / 1000));
  }
  agent.kill('SIGUSR2');
  const mem = await new Promise<string>((res) => agent.stdout!.on('data', (d) => { if (/memory/.test(String(d))) res(String(d)); }));
  agent.kill();
  up.close();
  console.log(JSON.stringify({ ...Object.fromEntries(Object.entries(out).map(([k, v]) => [k, mmm(v, (x) => x.toFixed(k === 'perSecond' ? 0 : 3))])), learned: base - 1, mem: JSON.parse(mem.trim()).memory }));
}

/** The agent side: the real DnsEnforcer on the real kernel, learned sets sized for the run. */
async function agentSide(): Promise<void> {
  // Loaded here, in the agent's process only (require: ts-node compiles a dynamic import() to a real ESM import).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DnsEnforcer, linuxDnsKernel } = require('../../src/agent/node/dns-enforcer') as typeof import('../../src/agent/node/dns-enforcer');
  const { parseDataPathConfig, DATA_PATH_DEFAULTS } = require('../../src/datapath') as typeof import('../../src/datapath');
  const { runCommand } = require('../../src/agent/shared/run-command') as typeof import('../../src/agent/shared/run-command');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = parseDataPathConfig({
    version: 1, cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: [], nodeCidrs: [] }, gateways: [], natPools: [], node: DATA_PATH_DEFAULTS.node,
    zones: [{ name: 'bench', id: 1, members: { namespaces: ['bench'], matchLabels: {} }, failOpen: false, allow: [], noGateway: [] }],
    domains: { proxy: PROXY, minTtlSeconds: 600, maxTtlSeconds: 3600, maxAddressesPerName: 32, maxAddressesPerZone: 1_000_000,
      zones: [{ zone: 'bench', rules: [{ name: 'all', patterns: ['*.bench.test'], protocol: 'tcp', ports: ['443'] }], addresses: [] }] },
  });
  const slab = () => Number(/Slab:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
  const e = new DnsEnforcer(config, linuxDnsKernel((argv, stdin) => runCommand(argv, stdin)), ['127.0.0.1:5300']);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const slab0 = slab();
  await e.update(config, [{ ip: POD, zone: 'bench' }]);
  process.stdout.write('serving\n');
  process.on('SIGUSR2', () => {
    global.gc?.();
    const n = e.learned.live().length;
    const per10k = (x: number) => Math.round((x / n) * 10_000);
    process.stdout.write(JSON.stringify({ memory: { addresses: n, heapPer10k: per10k(process.memoryUsage().heapUsed - heap0), slabPer10k: per10k(slab() - slab0) } }) + '\n');
  });
}

export async function runDnsBench(): Promise<void> {
  if (process.argv.includes('--agent')) return agentSide();
  if (process.argv.includes('--inside')) return inside();
  const r = spawnSync('unshare', ['-n', 'taskset', '-c', '0', process.execPath, ...TS, __filename, '--inside', ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`DNS benchmark failed (exit ${r.status})`);
}

if (require.main === module) runDnsBench().catch((e) => { console.error(e); process.exit(1); });
