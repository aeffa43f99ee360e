/**
 * `npm run bench:datapath -- --ipv6 [--trials 20] [--rounds 5] [--seconds 3]` — issue 24's figures in network
 * namespaces (not the real-cluster lab): IPv6 against IPv4 through the same gateway, in the same run.
 *
 * One lab (test/agent/e2e/netns-lab.ts + netns-lab-ipv6.ts, prefix "v6", two gateway replicas with an IPv4 and an
 * IPv6 egress IP each, the real agents, probes at the library's default unless --probe), a dual-stack zone pod:
 *   failover  per trial: 4 IPv4 and 4 IPv6 UDP flows at 1,000 packets/s each; the replica carrying flows is killed
 *             (agent and network) and the longest arrival gap of each family's moved flows is its gap: both
 *             families' figures come from the same kills. The replica is revived before the next trial.
 *   throughput iperf3 (one TCP stream, -t seconds after 1 s omitted) to the partner's IPv4 and IPv6 address from the
 *             same pod through the same replicas, the order alternating round by round; ratio IPv6 / IPv4.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import {
  buildAgents, labState, missingPrerequisite, NetnsLab, nsx, Proc, SERVER_ALLOWED, sleep, until,
} from '../../test/agent/e2e/netns-lab';
import { DATA_PATH_DEFAULTS } from '../../src/datapath';
import { addIpv6, addPodIpv6, egressIp6, labConfigV6, podIp6, reviveGatewayIpv6, SERVER6_ALLOWED } from '../../test/agent/e2e/netns-lab-ipv6';

const arg = (argv: string[], name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs: number[], p: number) => sorted(xs)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];
const log = (m: string) => process.stderr.write(`[bench:datapath --ipv6] ${m}\n`);

export async function runIpv6(argv: string[]): Promise<void> {
  const skip = missingPrerequisite();
  if (skip) throw new Error(`cannot run: ${skip}`);
  if (spawnSync('sh', ['-c', 'command -v iperf3']).status !== 0) throw new Error('"iperf3" is not installed (apt-get install -y iperf3)');
  const trials = Math.min(50, Number(arg(argv, 'trials', '20')));
  const rounds = Math.min(20, Number(arg(argv, 'rounds', '5')));
  const seconds = Math.min(30, Number(arg(argv, 'seconds', '3')));
  // --probe i/t/f (the library's default), --probes-only (the node agent's behaviour before issue 22, for comparison),
  // --prefix (namespaces' prefix, "v6").
  const [intervalMs, timeoutMs, failureThreshold] = arg(argv, 'probe', Object.values(DATA_PATH_DEFAULTS.probe).join('/')).split('/').map(Number);
  const probe = `${intervalMs}/${timeoutMs}/${failureThreshold}`;
  const nodeArgs = argv.includes('--probes-only') ? ['--probes-only'] : [];
  const lab = new NetnsLab({ prefix: arg(argv, 'prefix', 'v6'), gateways: 2 });
  const cleanup = () => {
    lab.destroy();
    lab.removeDir();
  };
  process.on('exit', cleanup);
  buildAgents();
  lab.create();
  addIpv6(lab);
  const pay = lab.addPod(1, 'pay1', '10.201.1.10');
  addPodIpv6(lab, 1, 'pay1', podIp6(1, 10));
  const config = labConfigV6(lab, { probe: { intervalMs, timeoutMs, failureThreshold } });
  for (const cidr of [`${SERVER_ALLOWED}/32`, `${SERVER6_ALLOWED}/128`]) config.zones[0].allow.push({ cidr, protocol: 'tcp', ports: ['5201'], description: 'iperf3' });
  lab.writeConfig(config);
  lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }, { ip: podIp6(1, 10), zone: 'payments' }], [1, 2]));
  const server = lab.spawn('server', lab.ns('x'), ['node', `${__dirname}/../../test/agent/e2e/traffic.js`, 'server', '--udp', '9000', '--tcp', '8080', '--v6', SERVER6_ALLOWED, '--quiet', 'udp']);
  await server.waitFor(/listening/, 10_000, 'out');
  lab.spawn('iperf3-server', lab.ns('x'), ['iperf3', '-s', '-p', '5201']);
  const gateways: Proc[] = [];
  const startGateway = async (i: number) => {
    gateways[i - 1] = lab.startGateway(i);
    await gateways[i - 1].waitFor(new RegExp(`"egressIp6":"${egressIp6(i)}"`), 20_000);
  };
  for (const i of [1, 2]) await startGateway(i);
  const node = lab.startNode(1, nodeArgs);
  await node.waitFor(/first sync done/, 20_000);
  const lastReplicas = () => node.err.trim().split('\n').filter((l) => l.includes('"replicas"')).pop() ?? '';
  const bothReady = (i: number) => new RegExp(`${lab.gatewayPodIp(i).replace(/\./g, '\\.')}=ready/v6:ready`).test(lastReplicas());
  await until('both replicas ready in both families', () => bothReady(1) && bothReady(2), 20_000);
  const zoneAllowed = (i: number) => JSON.parse(nsx(lab.ns(`g${i}`), 'nft -j list counter inet cdk8s_egress_gw z1_allowed')).nftables.find((o: any) => o.counter).counter.packets as number;
  const udp = (to: string) => lab.traffic(pay, ['udp', '--to', to, '--flows', '4', '--interval', '1', '--duration', '3000']);
  const loads: number[] = [];

  // Throughput first, on a quiet lab.
  const tput: { v4: number[]; v6: number[] } = { v4: [], v6: [] };
  const iperf = (ip: string) => {
    const out = nsx(pay, `iperf3 -c ${ip} -p 5201 -t ${seconds} -O 1 -J`);
    return JSON.parse(out).end.sum_received.bits_per_second / 1e9;
  };
  iperf(SERVER_ALLOWED); // warm-up, not recorded
  for (let r = 1; r <= rounds; r++) {
    const order: Array<'v4' | 'v6'> = r % 2 ? ['v4', 'v6'] : ['v6', 'v4'];
    for (const f of order) tput[f].push(iperf(f === 'v4' ? SERVER_ALLOWED : `${SERVER6_ALLOWED}`));
    loads.push(os.loadavg()[0]);
    log(`round ${r}: IPv4 ${tput.v4[r - 1].toFixed(2)} Gbit/s, IPv6 ${tput.v6[r - 1].toFixed(2)} Gbit/s`);
  }

  const gaps: { v4: number[]; v6: number[] } = { v4: [], v6: [] };
  for (let t = 1; t <= trials; t++) {
    const flows = Promise.all([udp(`${SERVER_ALLOWED}:9000`), udp(`[${SERVER6_ALLOWED}]:9000`)]);
    await sleep(800);
    const a = [zoneAllowed(1), zoneAllowed(2)];
    await sleep(100);
    const victim = zoneAllowed(1) - a[0] > zoneAllowed(2) - a[1] ? 1 : 2;
    lab.killGateway(victim, gateways[victim - 1]);
    const [f4, f6] = await flows;
    const moved4 = f4.filter((f: any) => f.egress[0] === lab.egressIp(victim));
    const moved6 = f6.filter((f: any) => f.egress[0] === egressIp6(victim));
    if (moved4.length) gaps.v4.push(Math.max(...moved4.map((f: any) => f.maxGapMs)));
    if (moved6.length) gaps.v6.push(Math.max(...moved6.map((f: any) => f.maxGapMs)));
    loads.push(os.loadavg()[0]);
    log(`trial ${t}: replica ${victim} killed; IPv4 ${moved4.length} flows moved, gap ${moved4.length ? gaps.v4[gaps.v4.length - 1] : '-'} ms; `
      + `IPv6 ${moved6.length} flows moved, gap ${moved6.length ? gaps.v6[gaps.v6.length - 1] : '-'} ms`);
    lab.reviveGatewayNetwork(victim);
    reviveGatewayIpv6(lab, victim);
    await startGateway(victim);
    await until('the replica back in both families', () => bothReady(victim), 20_000);
  }

  const row = (xs: number[]) => `${Math.min(...xs)} / ${median(xs)} / ${pct(xs, 95)} / ${Math.max(...xs)} | ${xs.length}`;
  const ratios = tput.v6.map((x, i) => x / tput.v4[i]);
  const mmm = (xs: number[]) => `${Math.min(...xs).toFixed(2)} / ${median(xs).toFixed(2)} / ${Math.max(...xs).toFixed(2)}`;
  const report = [
    `Command: \`npm run bench:datapath -- ${argv.join(' ')}\` — ${trials} failover trials (4 + 4 UDP flows at 1,000 packets/s, probes ${probe}${nodeArgs.length ? ', probes only' : ', replies as proof of life'}), `
      + `${rounds} iperf3 rounds (-t ${seconds} -O 1, 1 stream, order alternating)`,
    `Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} vCPU, Linux ${os.release()}; 1-minute load average min / median / max ${mmm(loads)}`,
    '',
    '| family | failover gap ms min / median / p95 / max | trials with moved flows |',
    '|---|---|---|',
    `| IPv4 | ${row(gaps.v4)} |`,
    `| IPv6 | ${row(gaps.v6)} |`,
    '',
    '| family | TCP Gbit/s min / median / max | runs |',
    '|---|---|---|',
    `| IPv4 | ${mmm(tput.v4)} | ${tput.v4.map((x) => x.toFixed(2)).join(' ')} |`,
    `| IPv6 | ${mmm(tput.v6)} | ${tput.v6.map((x) => x.toFixed(2)).join(' ')} |`,
    '',
    `IPv6 / IPv4 throughput: ${(median(tput.v6) / median(tput.v4)).toFixed(3)} of medians; per round min / median / max ${mmm(ratios)} (goal >= 0.9)`,
    `IPv6 / IPv4 failover gap: ${(median(gaps.v6) / median(gaps.v4)).toFixed(2)} of medians`,
  ].join('\n');
  process.stdout.write(report + '\n');
}
