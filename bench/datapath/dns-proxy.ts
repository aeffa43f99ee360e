/**
 * `npm run bench:datapath -- --dns` — the node agent's DNS proxy (issue 25, BENCHMARKS.md "## Domain rules").
 * Runs itself again inside `unshare -n` (a throw-away network namespace: real nft, nothing on the host touched):
 * an upstream DNS server (every name its own fresh address, TTL 1) on 127.0.0.1:5300, the DnsEnforcer with the
 * real kernel (nft) in a child process pinned to one core, and a client on the other core whose source
 * 10.201.1.10 is a zone pod. Every query is a new name, so every answer costs an nft transaction (worst case).
 *
 *   latency     p50/p99 of a lookup: direct to the upstream (baseline) vs through the proxy, sequential
 *   throughput  lookups/s through the proxy, 64 in flight, for --seconds
 *   modes       the learned elements through libnftables in the agent (`library`, the agent's default) and through
 *               one long-lived `nft -i` (`nft-i`, the fallback and the baseline): a fresh agent per mode, interleaved
 *               round by round, with the ratios per round
 *   memory      the agent's heap and the kernel's slab growth per 10,000 learned addresses
 * Options: --rounds N (5) --queries N (2000 per latency round) --seconds S (3)
 *          --first-connections N [--prefix P (dnb)]: instead, N lookups each followed at once by a connection, in the
 *          netns lab (namespaces named P…)
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

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

const MODES = ['nft-i', 'library'] as const;
type Mode = typeof MODES[number];

/** One agent (pinned to core 1) with its learned elements going through `mode`; resolves once it serves. */
async function startAgent(mode: Mode): Promise<ChildProcess> {
  // Each agent starts from an empty table: neither mode inherits the other's learned elements.
  spawnSync('nft', ['delete', 'table', 'inet', 'cdk8s_egress_dns']);
  const agent = spawn('taskset', ['-c', '1', process.execPath, '--expose-gc', ...TS, __filename, '--agent', '--elements', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logged = '';
  agent.stderr!.on('data', (d) => { logged += String(d); process.stderr.write(d); });
  await new Promise<void>((res, rej) => {
    agent.stdout!.on('data', (d) => { if (/serving/.test(String(d))) res(); });
    agent.on('exit', (code) => rej(new Error(`the agent side exited (${code}) before serving`)));
  });
  agent.removeAllListeners('exit');
  // The comparison means something only if each mode really went its own way (its log line says which).
  for (let i = 0; i < 100 && !/"elements":/.test(logged); i++) await new Promise((r) => setTimeout(r, 10));
  const via = /"elements":"([^"]+)"/.exec(logged)?.[1];
  if (via !== { 'nft-i': 'nft -i', 'library': 'libnftables' }[mode]) throw new Error(`mode ${mode}: the agent programs through ${via}`);
  return agent;
}

const load1 = () => `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

async function inside(): Promise<void> {
  for (const c of ['ip link set lo up', `ip addr add ${POD}/32 dev lo`]) spawnSync('sh', ['-c', c]);
  const up = await upstream();
  const rounds = Number(arg('rounds', '5'));
  const n = Number(arg('queries', '2000'));
  const seconds = Number(arg('seconds', '3'));
  const loads = [load1()];
  let base = 1;
  const figures = () => ({ proxy50: [] as number[], proxy99: [] as number[], held50: [] as number[], held99: [] as number[], perSecond: [] as number[], heldPerSecond: [] as number[] });
  const out = { direct50: [] as number[], direct99: [] as number[], 'nft-i': figures(), 'library': figures() };
  let mem = '';
  for (let r = 0; r < rounds; r++) {
    const direct = await load({ address: '127.0.0.1', port: 5300 }, base, n, 1); base += n;
    out.direct50.push(med(direct)); out.direct99.push(pct(direct, 0.99));
    // Interleaved, the order alternating round by round: the machine's noise hits both modes alike.
    for (const mode of r % 2 ? [...MODES].reverse() : MODES) {
      const agent = await startAgent(mode);
      // Warm-up, not timed: a fresh agent's first answers pay for JIT compilation and the first transaction's setup,
      // which a running agent has long behind it (they would otherwise be the new-address p99).
      await load(PROXY, base, 500, 1); base += 500;
      const o = out[mode];
      const proxied = await load(PROXY, base, n, 1);
      // The same names again: their addresses are held already, so no kernel work (the common case).
      const held = await load(PROXY, base, n, 1); base += n;
      o.proxy50.push(med(proxied)); o.proxy99.push(pct(proxied, 0.99));
      o.held50.push(med(held)); o.held99.push(pct(held, 0.99));
      const t0 = performance.now();
      const many = await load(PROXY, base, 10_000_000, 64, seconds * 1000);
      o.perSecond.push(many.length / ((performance.now() - t0) / 1000));
      const t1 = performance.now();
      const again = await load(PROXY, base, many.length, 64);
      o.heldPerSecond.push(again.length / ((performance.now() - t1) / 1000));
      base += many.length;
      if (r === rounds - 1 && mode === 'library') {
        agent.kill('SIGUSR2');
        mem = await new Promise<string>((res) => agent.stdout!.on('data', (d) => { if (/memory/.test(String(d))) res(String(d)); }));
      }
      agent.kill();
      await new Promise((res) => agent.once('exit', res));
    }
    loads.push(load1());
  }
  up.close();
  const f = (k: string, v: number[]) => mmm(v, (x) => x.toFixed(k.endsWith('erSecond') ? 0 : 3));
  const modes = Object.fromEntries(MODES.map((m) => [m, Object.fromEntries(Object.entries(out[m]).map(([k, v]) => [k, f(k, v)]))]));
  // Per round, nft -i's figure over libnftables' (> 1: the library is faster / lower).
  const ratio = (k: keyof ReturnType<typeof figures>, inverse = false) => mmm(out['nft-i'][k].map((x, i) => (inverse ? out.library[k][i] / x : x / out.library[k][i])), (x) => x.toFixed(1));
  console.log(JSON.stringify({
    direct50: f('direct50', out.direct50), direct99: f('direct99', out.direct99), ...modes,
    ratios: { proxy50: ratio('proxy50'), proxy99: ratio('proxy99'), perSecond: ratio('perSecond', true) },
    learned: base - 1, ...(mem ? { libraryAgentLastRound: JSON.parse(mem.trim()) } : {}), loads,
  }, undefined, 1));
}

/** The agent side: the real DnsEnforcer on the real kernel, learned sets sized for the run. */
async function agentSide(): Promise<void> {
  // Loaded here, in the agent's process only (require: ts-node compiles a dynamic import() to a real ESM import).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DnsEnforcer, linuxDnsKernel } = require('../../src/agent/node/dns-enforcer') as typeof import('../../src/agent/node/dns-enforcer');
  const { parseDataPathConfig, DATA_PATH_DEFAULTS } = require('../../src/datapath') as typeof import('../../src/datapath');
  const { runCommand } = require('../../src/agent/shared/run-command') as typeof import('../../src/agent/shared/run-command');
  const { LearnedSets } = require('../../src/agent/node/dns-learned-sets') as typeof import('../../src/agent/node/dns-learned-sets');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = parseDataPathConfig({
    version: 1, cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: [], nodeCidrs: [] }, gateways: [], natPools: [], node: DATA_PATH_DEFAULTS.node,
    zones: [{ name: 'bench', id: 1, members: { namespaces: ['bench'], matchLabels: {} }, failOpen: false, allow: [], noGateway: [] }],
    domains: { proxy: PROXY, minTtlSeconds: 600, maxTtlSeconds: 3600, maxAddressesPerName: 32, maxAddressesPerZone: 1_000_000,
      zones: [{ zone: 'bench', rules: [{ name: 'all', patterns: ['*.bench.test'], protocol: 'tcp', ports: ['443'] }], addresses: [] }] },
  });
  const slab = () => Number(/Slab:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
  const kernel = linuxDnsKernel((argv, stdin) => runCommand(argv, stdin), arg('elements', 'library') as 'library' | 'nft-i');
  // Each element transaction timed where it runs (how much of the added latency is nftables itself).
  const txn: number[] = [];
  const timed = { ...kernel, nftElements: async (c: string[]) => {
    const t = performance.now();
    try { await kernel.nftElements(c); } finally { txn.push(performance.now() - t); }
  } };
  const e = new DnsEnforcer(config, timed, ['127.0.0.1:5300']);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const slab0 = slab();
  await e.update(config, [{ ip: POD, zone: 'bench' }]);
  process.stdout.write('serving\n');
  process.on('SIGUSR2', () => {
    global.gc?.();
    const n = e.learned.live().length;
    const per10k = (x: number) => Math.round((x / n) * 10_000);
    // The learned sets alone: a fresh LearnedSets holding 10,000 addresses, heap before and after.
    global.gc?.();
    const h0 = process.memoryUsage().heapUsed;
    const alone = new LearnedSets(config);
    for (let i = 0; i < 10_000; i++) alone.learn('bench', [`m${i}.bench.test`], [{ ip: `100.96.${i >> 8}.${i & 255}`, ttl: 600 }]);
    global.gc?.();
    const learnedSetsPer10k = process.memoryUsage().heapUsed - h0;
    process.stdout.write(JSON.stringify({ memory: { addresses: n, agentHeapPer10k: per10k(process.memoryUsage().heapUsed - heap0 - learnedSetsPer10k),
      learnedSetsPer10k, kernelSlabPer10k: per10k(slab() - slab0), keep: alone.live().length },
    transactions: { count: txn.length, p50: pct(txn, 0.5), p99: pct(txn, 0.99) } }) + '\n');
  });
}

export async function runDnsBench(): Promise<void> {
  if (process.argv.includes('--first-connections')) {
    console.log(JSON.stringify(await runFirstConnections(Number(arg('first-connections', '10000')))));
    return;
  }
  if (process.argv.includes('--agent')) return agentSide();
  if (process.argv.includes('--inside')) return inside();
  const r = spawnSync('unshare', ['-n', 'taskset', '-c', '0', process.execPath, ...TS, __filename, '--inside', ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`DNS benchmark failed (exit ${r.status})`);
}

if (require.main === module) runDnsBench().catch((e) => { console.error(e); process.exit(1); });

/**
 * `--first-connections N`: the netns lab (prefix "dnb"): a zone pod makes N lookups of fresh names (each answer a
 * new address, TTL 1) through the real node agent and connects to each answer at once; counts the connections
 * that fail. Each round the addresses cycle through 198.19.1.0/24 .. (N addresses on the server).
 */
export async function runFirstConnections(n: number): Promise<{ failures: number; ok: number; seconds: number; elements?: string }> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lab = require('../../test/agent/e2e/netns-lab') as typeof import('../../test/agent/e2e/netns-lab');
  const { writeFileSync } = require('node:fs') as typeof import('node:fs');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const DNS_LAB = `${__dirname}/../../test/agent/e2e/dns-lab.js`;
  const l = new lab.NetnsLab({ prefix: arg('prefix', 'dnb'), gateways: 0 });
  try {
    lab.buildAgents();
    l.create();
    const pod = l.addPod(1, 'ord', '10.201.1.10');
    const x = l.ns('x');
    const addr = (i: number) => `198.19.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    // Every address of 198.19.0.0/16 is the server's (an AnyIP local route), reached through its /24 address.
    lab.nsx(x, 'ip route add local 198.19.0.0/16 dev lo');
    lab.nsx(l.ns('r'), 'ip route add 198.19.0.0/16 via 198.19.0.10');
    const answers: { [k: string]: { a: string[]; ttl: number } } = {};
    for (let i = 1; i <= n; i++) answers[`s${i}.bench.test`] = { a: [addr(i)], ttl: 1 };
    const answersPath = `${l.dir}/answers.json`;
    writeFileSync(answersPath, JSON.stringify(answers));
    const dns = l.spawn('dns', x, ['node', DNS_LAB, 'server', '--bind', '198.19.0.10', '--answers', answersPath]);
    await dns.waitFor(/listening/, 10_000, 'out');
    // The echo server on every address of the external namespace (it listens on 0.0.0.0).
    await l.startServer().waitFor(/listening/, 10_000, 'out');
    l.writeConfig({
      version: 1, cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
      zones: [{ name: 'orders', id: 1, failOpen: false, members: { namespaces: ['orders'], matchLabels: {} }, allow: [], noGateway: [] }],
      gateways: [], natPools: [],
      domains: { proxy: PROXY, minTtlSeconds: 60, maxTtlSeconds: 3600, maxAddressesPerName: 32, maxAddressesPerZone: 100_000,
        zones: [{ zone: 'orders', rules: [{ name: 'bench', patterns: ['*.bench.test'], protocol: 'tcp', ports: ['8080'] }], addresses: [] }] },
    });
    l.writeState(1, { pods: [{ ip: '10.201.1.10', zone: 'orders' }], gateways: [] });
    const node = l.spawn('node-1', l.ns('n1'), ['env', 'EGRESS_DNS_UPSTREAMS=198.19.0.10', lab.AGENT_NODE, lab.AGENT_MAIN, 'node',
      '--config', l.configPath, '--state', l.statePath(1), '--health-port', '9441']);
    await node.waitFor(/DNS proxy serving/, 30_000);
    const t0 = Date.now();
    const p = l.spawn('loop', pod, ['node', DNS_LAB, 'loop', '--server', '10.96.0.10', '--prefix', 's', '--suffix', 'bench.test', '--count', String(n), '--connect', '8080']);
    await p.wait(3_600_000);
    // Which way the agent programmed the learned addresses (its "DNS proxy serving" line says).
    const elements = /"msg":"DNS proxy serving".*"elements":"([^"]+)"/.exec(node.out + node.err)?.[1];
    return { ...JSON.parse(p.out.trim().split('\n').pop()!), seconds: (Date.now() - t0) / 1000, elements };
  } finally {
    l.destroy();
    l.removeDir();
  }
}
