/**
 * The real-cluster lab: etcd + kube-apiserver + kube-controller-manager, Calico's Felix on every node, pods wired by
 * the real Calico CNI plugin with calico-ipam, an external network and a real DNS server — all in network namespaces
 * named `ceglab-*`, all state under one directory. The components are the binaries scripts/lab/build.sh builds from
 * their Go modules; the lab plays only what no real component here can: the kubelet (pod status, starting the pod's
 * process) and the routing fabric between nodes (a router that learns pod routes, where BGP would run).
 *
 * Topology (addresses follow the example estate's ClusterNetwork: nodes in 192.0.2.0/26):
 *
 *   host ── 169.254.77.1/30 ─ ceglab-cp (etcd, kube-apiserver, kube-controller-manager; 192.0.2.2)
 *                                  │
 *   ceglab-rt: router, bridge br0 192.0.2.1/26 ── ceglab-nodeN (Felix; 192.0.2.1N) ── pods (ceglab-p-*)
 *        │ 192.0.2.253/30
 *   ceglab-ext: external hosts, one address each on lo (203.0.113.x, 198.51.100.x, 172.16.x ...)
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CALICO_DEFAULT_FELIX_CONFIGURATION, calicoCniPlugin } from './calico-install';
import { teardownNodes } from './node/teardown';

export const LAB_PREFIX = 'ceglab';
const REPO = path.resolve(__dirname, '..', '..');
const SHARED = path.resolve(REPO, '..', 'shared', 'reference');
export const CALICO_V3_BUNDLE = path.join(SHARED, 'calico', 'manifests', 'v3_projectcalico_org.yaml');
export const CALICO_V1_CRDS = path.join(SHARED, 'calico', 'manifests', 'crds.yaml');
export const CILIUM_CRDS = path.join(SHARED, 'cilium', 'crds');

const CP_NS = `${LAB_PREFIX}-cp`;
const RT_NS = `${LAB_PREFIX}-rt`;
const EXT_NS = `${LAB_PREFIX}-ext`;
/** The API server's address on the nodes' network. */
export const CP_IP = '192.0.2.2';
const RT_IP = '192.0.2.1';
const HOST_LINK_IP = '169.254.77.1';
const CP_LINK_IP = '169.254.77.2';
const EXT_LINK_RT = '192.0.2.253';
const EXT_LINK_EXT = '192.0.2.254';
export const SERVICE_CIDR = '10.96.0.0/16';
/** The kube-dns Service's cluster IP (the kubelets' clusterDNS). */
export const CLUSTER_DNS = '10.96.0.10';

export interface LabOptions {
  /** Number of nodes (2–3). */
  readonly nodes?: number;
  /** State directory (default /tmp/ceglab). */
  readonly dir?: string;
  /**
   * The lab's own IP pool (what an installation's default pool is) for namespaces no estate pool serves, e.g. the
   * cluster DNS in kube-system. Default 10.252.0.0/24 for `kubernetes.io/metadata.name == "kube-system"`; tests widen the
   * selector (calicoctl apply of IPPool `lab-default`) to the namespaces their estate leaves without a pool.
   */
  readonly defaultPoolNamespaceSelector?: string;
  /**
   * Real nodes (test/lab/node): kubelets register the nodes and run every Pod, the cluster DNS included. Without it the
   * lab creates the Node objects and plays the kubelet for the pods it creates.
   */
  readonly nodeRuntime?: LabNodeRuntime;
  /**
   * More environment for every Felix, e.g. flow logs to Goldmane as Calico's operator configures them
   * (FELIX_FLOWLOGSGOLDMANESERVER, FELIX_FLOWLOGSFLUSHINTERVAL and the TLS files; test/lab/rollout-report.test.ts).
   */
  readonly felixEnv?: NodeJS.ProcessEnv;
  /** IPv6 beside IPv4 (test/lab/dual-stack-lab.ts): without it the lab is IPv4 only, as before. */
  readonly ipv6?: LabIpv6;
}

/** What a dual-stack lab adds to each step of the IPv4 one (implemented in test/lab/dual-stack-lab.ts). */
export interface LabIpv6 {
  /** More environment for every Felix (IPv6 support on). */
  readonly felixEnv: NodeJS.ProcessEnv;
  /** The calico-ipam options of the CNI config (assign_ipv6). */
  readonly ipam: Record<string, string>;
  /** After the IPv4 network is up: IPv6 addresses and routes on the links. */
  network(lab: Lab): void;
  /** After Calico's install, before the first pod: the IPv6 pools. */
  calico(lab: Lab): void;
  /** The fabric's route to a pod's IPv6 address through its node ('replace') or its removal ('del'). */
  podRoute(lab: Lab, op: 'replace' | 'del', ip6: string, node: LabNode): void;
}

/** What runs the lab's nodes when the lab does not play them (test/lab/node/node-runtime.ts). */
export interface LabNodeRuntime {
  /** Starts the nodes (they register themselves) and returns once every node is Ready. */
  startNodes(lab: Lab): Promise<void>;
  /** Runs dnsmasq with this configuration as Pods behind the kube-dns Service; returns the DNS Pod's address. */
  startDns(lab: Lab, dnsmasqConf: string[]): Promise<string>;
}

/** A kubeconfig (JSON) for one client certificate. */
export function kubeconfigJson(server: string, ca: string, cert: string, key: string): string {
  return JSON.stringify({
    'apiVersion': 'v1',
    'kind': 'Config',
    'current-context': 'lab',
    'clusters': [{ name: 'lab', cluster: { server, 'certificate-authority': ca } }],
    'users': [{ name: 'user', user: { 'client-certificate': cert, 'client-key': key } }],
    'contexts': [{ name: 'lab', context: { cluster: 'lab', user: 'user' } }],
  });
}

export const LAB_DEFAULT_POOL = '10.252.0.0/24';

export interface LabNode {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
}

export interface LabPod {
  readonly namespace: string;
  readonly name: string;
  readonly node: LabNode;
  readonly netns: string;
  readonly ip: string;
  /** Its IPv6 address in a dual-stack lab. */
  readonly ip6?: string;
  /** Host-side interface Calico's CNI plugin created (cali…). */
  readonly hostInterface: string;
  readonly containerId: string;
}

export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly node?: number;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Runs a command, returns stdout; throws with stderr on failure. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { input: opts.input, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/** Runs a command in a network namespace. */
export function nsRun(netns: string, cmd: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  return run('ip', ['netns', 'exec', netns, ...cmd], opts);
}

function tryRun(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeoutMs) {
    try {
      const v = fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** The toolchain's bin dir, or undefined when scripts/lab/build.sh has not completed for the pinned versions. */
export function toolchainBin(): string | undefined {
  // A developer's own build of the same binaries (for example while the pinned build runs).
  if (process.env.CDK8S_EGRESS_LAB_BIN) return process.env.CDK8S_EGRESS_LAB_BIN;
  const r = spawnSync('bash', [path.join(REPO, 'scripts', 'lab', 'build.sh'), '--print-bin'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Why the lab cannot run here, or undefined when it can. */
export function labUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces)';
  if (!fs.existsSync(CALICO_V3_BUNDLE)) return `${CALICO_V3_BUNDLE} is missing`;
  for (const t of ['ip', 'nft', 'openssl', 'dnsmasq']) {
    if (!tryRun('sh', ['-c', `command -v ${t}`])) return `${t} is not installed`;
  }
  if (!toolchainBin()) return 'the lab toolchain is not built (run scripts/lab/build.sh)';
  return undefined;
}

export class Lab {
  /** Starts a lab: control plane, Calico CRDs + admission policies, nodes with Felix, external network, cluster DNS. */
  public static async start(options: LabOptions = {}): Promise<Lab> {
    const bin = toolchainBin();
    if (!bin) throw new Error('the lab toolchain is not built: run scripts/lab/build.sh');
    const dir = options.dir ?? `/tmp/${LAB_PREFIX}`;
    // One lab at a time on a machine: the namespace names are fixed (another jest worker or session waits here).
    await acquireLabLock();
    stopLab(dir);
    const lab = new Lab(bin, dir, options.nodes ?? 2, options.defaultPoolNamespaceSelector ?? 'kubernetes.io/metadata.name == "kube-system"', options.nodeRuntime,
      { ...options.ipv6?.felixEnv, ...options.felixEnv }, options.ipv6);
    try {
      await lab.up();
    } catch (e) {
      const logs = lab.logTails();
      lab.stop();
      throw new Error(`${(e as Error).message}\n${logs}`);
    }
    return lab;
  }

  public readonly nodes: LabNode[];
  public readonly externalNetns = EXT_NS;
  public readonly routerNetns = RT_NS;
  public readonly controlPlaneNetns = CP_NS;
  /** kubeconfig usable from the host (the API server at 169.254.77.2:6443). */
  public readonly kubeconfig: string;
  /** kubeconfig usable from node network namespaces (the API server at 192.0.2.2:6443). */
  public readonly nodeKubeconfig: string;
  /** The DNS pod the lab plays (without real nodes). */
  public dnsPod?: LabPod;
  /** The cluster DNS pod's address. */
  public dnsIp?: string;
  private readonly procs: ChildProcess[] = [];
  private readonly pods = new Map<string, LabPod>();
  private readonly externalHosts = new Set<string>();

  private constructor(public readonly bin: string, public readonly dir: string, nodeCount: number, private readonly defaultPoolSelector: string,
    private readonly nodeRuntime?: LabNodeRuntime, private readonly felixEnv: NodeJS.ProcessEnv = {}, public readonly ipv6?: LabIpv6) {
    this.nodes = Array.from({ length: nodeCount }, (_, i) => ({ name: `node${i + 1}`, netns: `${LAB_PREFIX}-node${i + 1}`, ip: `192.0.2.${11 + i}` }));
    this.kubeconfig = path.join(dir, 'host.kubeconfig');
    this.nodeKubeconfig = path.join(dir, 'node.kubeconfig');
  }

  /** kubectl against the lab's API server. */
  public kubectl(args: string[], input?: string): string {
    return run(path.join(this.bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, ...args], { input, timeoutMs: 120_000 });
  }

  /** calicoctl on the Kubernetes datastore. */
  public calicoctl(args: string[], input?: string): string {
    // The binaries carry no version stamp, so calicoctl cannot compare itself with ClusterInformation's calicoVersion.
    return run(path.join(this.bin, 'calicoctl'), [...args, '--allow-version-mismatch'], { input, env: { ...process.env, DATASTORE_TYPE: 'kubernetes', KUBECONFIG: this.kubeconfig } });
  }

  /** Server-side apply of YAML text; returns kubectl's output. */
  public apply(yamlText: string, extra: string[] = []): string {
    const args = ['apply', '--server-side', '--force-conflicts', '--field-manager=cdk8s-egress-lab', ...extra, '-f', '-'];
    // Calico's admission policies name projectcalico.org/v3 kinds as paramKind. The API server resolves a paramKind
    // through its REST mapper, which learns a new CRD's kind some seconds after the CRD is Established; until then every
    // request the policy matches is denied with "failed to find resource referenced by paramKind" (seen in CI here).
    // A real install meets the same window and retries; so do we, on that message only, for up to 90 s.
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        return this.kubectl(args, yamlText);
      } catch (e) {
        if (!/failed to find resource referenced by paramKind/.test((e as Error).message) || Date.now() > deadline) throw e;
        spawnSync('sleep', ['2']);
      }
    }
  }

  /** Makes `ip` answer on the external network (an address on the external namespace's lo, routed by the router). */
  public addExternalHost(ip: string): void {
    if (this.externalHosts.has(ip)) return;
    run('ip', ['-n', EXT_NS, 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    run('ip', ['-n', RT_NS, 'route', 'replace', `${ip}/32`, 'via', EXT_LINK_EXT]);
    this.externalHosts.add(ip);
  }

  /** Creates a Pod through the API and sets up its network namespace by calling Calico's CNI plugin as kubelet does. */
  public async createPod(spec: PodSpec): Promise<LabPod> {
    const node = this.nodes[(spec.node ?? 0) % this.nodes.length];
    this.ensureNamespace(spec.namespace);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels ?? {}, annotations: spec.annotations ?? {} },
      spec: {
        nodeName: node.name,
        automountServiceAccountToken: false,
        containers: [{ name: 'main', image: 'lab.invalid/none:0' }],
        tolerations: [{ operator: 'Exists' }],
      },
    };
    this.kubectl(['create', '-f', '-'], JSON.stringify(pod));
    const uid = this.kubectl(['get', 'pod', '-n', spec.namespace, spec.name, '-o', 'jsonpath={.metadata.uid}']).trim();
    const containerId = crypto.createHash('sha256').update(`${spec.namespace}/${spec.name}/${uid}`).digest('hex');
    const netns = `${LAB_PREFIX}-p-${crypto.createHash('sha1').update(`${spec.namespace}/${spec.name}`).digest('hex').slice(0, 10)}`;
    run('ip', ['netns', 'add', netns]);
    const env = {
      PATH: process.env.PATH,
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: containerId,
      CNI_NETNS: `/var/run/netns/${netns}`,
      CNI_PATH: this.bin,
    };
    // The loopback plugin first, as container runtimes do.
    nsRun(node.netns, [path.join(this.bin, 'loopback')], {
      env: { ...env, CNI_IFNAME: 'lo' },
      input: JSON.stringify({ cniVersion: '1.0.0', name: 'lo', type: 'loopback' }),
    });
    const out = nsRun(node.netns, [path.join(this.bin, 'calico')], {
      env: {
        ...env,
        CNI_IFNAME: 'eth0',
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${spec.namespace};K8S_POD_NAME=${spec.name};K8S_POD_INFRA_CONTAINER_ID=${containerId};K8S_POD_UID=${uid}`,
      },
      input: JSON.stringify(this.cniNetconf(node)),
      timeoutMs: 120_000,
    });
    const result = JSON.parse(out) as { ips: { address: string }[]; interfaces?: { name: string; sandbox?: string }[] };
    const ips = result.ips.map((x) => x.address.split('/')[0]);
    const ip = ips.find((x) => !x.includes(':')) ?? ips[0];
    const ip6 = ips.find((x) => x.includes(':'));
    const hostInterface = (result.interfaces ?? []).find((i) => !i.sandbox)?.name ?? '';
    // Kubelet's part: status with the pod IP, Running and Ready.
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.kubectl(['patch', 'pod', '-n', spec.namespace, spec.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [ip, ...ips.filter((x) => x !== ip)].map((x) => ({ ip: x })), // podIP first, as the API server requires
        hostIP: node.ip,
        hostIPs: [{ ip: node.ip }],
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
        ],
      },
    })]);
    // The fabric's part (BGP in a real routed cluster): the router learns the pod's route via its node.
    run('ip', ['-n', RT_NS, 'route', 'replace', `${ip}/32`, 'via', node.ip]);
    if (ip6) this.ipv6?.podRoute(this, 'replace', ip6, node);
    const labPod: LabPod = { namespace: spec.namespace, name: spec.name, node, netns, ip, ip6, hostInterface, containerId };
    this.pods.set(`${spec.namespace}/${spec.name}`, labPod);
    return labPod;
  }

  /** Deletes a pod: CNI DEL (releases its calico-ipam address), the API object, its namespace. */
  public deletePod(pod: LabPod): void {
    this.removePodNetwork(pod);
    this.kubectl(['delete', 'pod', '-n', pod.namespace, pod.name, '--grace-period=0', '--force', '--wait=false', '--ignore-not-found']);
  }

  /**
   * Deletes a pod through the API only, as a user or a controller does: with a grace period the Pod stays, terminating,
   * until the kubelet's part ({@link removePodNetwork}) is done; the EndpointSlice controller sees it either way.
   */
  public deletePodThroughApi(pod: LabPod, graceSeconds: number): void {
    const grace = graceSeconds === 0 ? ['--grace-period=0', '--force'] : [`--grace-period=${graceSeconds}`];
    this.kubectl(['delete', 'pod', '-n', pod.namespace, pod.name, ...grace, '--wait=false']);
  }

  /** The kubelet's part of a pod's end: its processes killed, CNI DEL, its network namespace and fabric route gone. */
  public removePodNetwork(pod: LabPod): void {
    const env = {
      PATH: process.env.PATH,
      CNI_COMMAND: 'DEL',
      CNI_CONTAINERID: pod.containerId,
      CNI_NETNS: `/var/run/netns/${pod.netns}`,
      CNI_PATH: this.bin,
      CNI_IFNAME: 'eth0',
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`,
    };
    killNetnsProcesses(pod.netns);
    nsRun(pod.node.netns, [path.join(this.bin, 'calico')], { env, input: JSON.stringify(this.cniNetconf(pod.node)) });
    tryRun('ip', ['-n', RT_NS, 'route', 'del', `${pod.ip}/32`]);
    if (pod.ip6) this.ipv6?.podRoute(this, 'del', pod.ip6, pod.node);
    tryRun('ip', ['netns', 'del', pod.netns]);
    this.pods.delete(`${pod.namespace}/${pod.name}`);
  }

  /**
   * Restarts kube-apiserver with the same command line (its watch cache starts empty, so watches resuming from an older
   * resourceVersion get "410 Gone"), and waits until it is ready again.
   */
  public async restartApiServer(): Promise<void> {
    const pid = this.pidOf(CP_NS, 'kube-apiserver');
    if (!pid) throw new Error('kube-apiserver is not running');
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    process.kill(pid, 'SIGKILL');
    await waitFor('kube-apiserver gone', () => !fs.existsSync(`/proc/${pid}`), 30_000, 100);
    this.startDaemon(CP_NS, 'kube-apiserver', cmd);
    await this.waitForApiServer(500);
  }

  /** The process named `comm` in a network namespace (its first), or undefined. */
  public pidOf(netns: string, comm: string): number | undefined {
    const pids = (spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean);
    const pid = pids.find((x) => { try { return fs.readFileSync(`/proc/${x}/comm`, 'utf8').trim() === comm; } catch { return false; } });
    return pid ? Number(pid) : undefined;
  }

  /** Compacts etcd's history up to its current revision (through etcd's own gRPC gateway); returns that revision. */
  public etcdCompact(): number {
    const post = (what: string, body: object) => JSON.parse(nsRun(CP_NS, ['curl', '-sS', '-X', 'POST', `http://127.0.0.1:2379/v3/${what}`, '-d', JSON.stringify(body)]));
    const revision = Number(post('kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 }).header.revision);
    post('kv/compaction', { revision, physical: true });
    return revision;
  }

  /** Starts a long-running process in a pod's network namespace (the kubelet's "start the container"). */
  public startProcess(pod: LabPod | string, cmd: string[], logName: string): ChildProcess {
    const netns = typeof pod === 'string' ? pod : pod.netns;
    const log = fs.openSync(path.join(this.dir, `${logName}.log`), 'a');
    const p = spawn('ip', ['netns', 'exec', netns, ...cmd], { stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    p.unref();
    this.procs.push(p);
    fs.appendFileSync(path.join(this.dir, 'pids'), `${p.pid}\n`);
    return p;
  }

  /** Starts a TCP server in a pod (accepts, answers "ok", closes) and waits until it listens. */
  public async startTcpServer(pod: LabPod, port: number): Promise<void> {
    this.startProcess(pod, [process.execPath, '-e', `require('net').createServer(s=>{s.on('error',()=>{});s.end('ok')}).listen(${port},'0.0.0.0')`], `server-${pod.name}-${port}`);
    await waitFor(`${pod.namespace}/${pod.name} listening on ${port}`, () => nsRun(pod.netns, ['ss', '-Hltn', `sport = :${port}`]).trim().length > 0, 30_000, 200);
  }

  /** Runs a command to completion in a pod's network namespace. */
  public exec(pod: LabPod, cmd: string[], timeoutMs = 30_000): string {
    return nsRun(pod.netns, cmd, { timeoutMs });
  }

  /**
   * Tries a TCP connection from a pod; true when the handshake completed. Uses bash's /dev/tcp (no client to install).
   */
  public tcpConnects(pod: LabPod, ip: string, port: number, timeoutSec = 2): boolean {
    return spawnSync('ip', ['netns', 'exec', pod.netns, 'timeout', String(timeoutSec), 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`], { stdio: 'ignore' }).status === 0;
  }

  /** Sends one UDP datagram from a pod. */
  public udpSend(pod: LabPod, ip: string, port: number): void {
    spawnSync('ip', ['netns', 'exec', pod.netns, 'timeout', '2', 'bash', '-c', `echo probe >/dev/udp/${ip}/${port}`], { stdio: 'ignore' });
  }

  /** Resolves a name from a pod through the cluster DNS (the DNS pod's address; there is no kube-proxy). */
  public resolve(pod: LabPod, name: string): string[] {
    const dns = this.dnsIp;
    if (!dns) throw new Error('no cluster DNS');
    const script = `const r=new (require('dns').promises.Resolver)({timeout:1500,tries:1});r.setServers(['${dns}']);`
      + 'r.resolve4(process.argv[1]).then(a=>console.log(a.join(\' \')),e=>{console.log(\'\');process.exit(2)})';
    const r = spawnSync('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', script, name], { encoding: 'utf8', timeout: 10_000 });
    return r.status === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean) : [];
  }

  /**
   * Listens on TCP ports on the external network (every external host address), accepting and closing connections.
   */
  public async startExternalServer(ports: number[]): Promise<void> {
    const script = 'const net=require(\'net\');for(const p of process.argv.slice(1)){net.createServer(s=>{s.on(\'error\',()=>{});s.end(\'ok\\n\')}).listen(+p,\'0.0.0.0\')}';
    this.startProcess(EXT_NS, [process.execPath, '-e', script, ...ports.map(String)], 'external-server');
    await waitFor(`external servers on ${ports.join(', ')}`, () => {
      const listening = nsRun(EXT_NS, ['ss', '-Hltn']);
      return ports.every((p) => listening.includes(`:${p} `));
    }, 30_000, 200);
  }

  /**
   * Counts packets arriving at the external network that match (nft counter in the external namespace, before any
   * other processing). Returns a reader.
   */
  public externalCounter(match: { saddr?: string; daddr?: string; proto?: 'tcp' | 'udp' | 'icmp' | 'ipv6-icmp'; dport?: number; notSaddr?: string }): ExternalCounter {
    // IPv6 addresses (a dual-stack lab) match in IPv6 packets only.
    const ip = [match.saddr, match.daddr, match.notSaddr].some((a) => a?.includes(':')) ? 'ip6' : 'ip';
    const parts: string[] = [];
    if (match.saddr) parts.push(`${ip} saddr ${match.saddr}`);
    if (match.notSaddr) parts.push(`${ip} saddr != ${match.notSaddr}`);
    if (match.daddr) parts.push(`${ip} daddr ${match.daddr}`);
    if (match.proto) parts.push(`meta l4proto ${match.proto}`);
    if (match.dport !== undefined) parts.push(`${match.proto ?? 'tcp'} dport ${match.dport}`);
    const id = `c${crypto.randomBytes(6).toString('hex')}`;
    run('ip', ['netns', 'exec', EXT_NS, 'nft', `add rule inet ceglab count ${parts.join(' ')} counter comment "${id}"`]);
    return new ExternalCounter(id);
  }

  /** Waits until Felix on the pod's node has programmed the pod's workload endpoint. */
  public async waitForEndpoint(pod: LabPod): Promise<void> {
    await waitFor(`Felix on ${pod.node.name} to program ${pod.namespace}/${pod.name} (${pod.hostInterface})`,
      () => nsRun(pod.node.netns, ['nft', 'list', 'ruleset']).includes(`"${pod.hostInterface}"`), 60_000, 500);
  }

  /**
   * Waits until every node's Felix is in sync and has applied the current datastore (its policy count stopped changing).
   */
  public async waitForFelix(minActivePolicies = 0): Promise<void> {
    for (const n of this.nodes) {
      let last = '';
      let stable = 0;
      await waitFor(`Felix on ${n.name} in sync`, () => {
        const m = felixMetrics(n);
        const key = `${m.felix_resync_state}|${m.felix_active_local_policies}|${m.felix_cluster_num_policies}|${m.felix_int_dataplane_apply_time_seconds_count}`;
        stable = key === last ? stable + 1 : 0;
        last = key;
        return m.felix_resync_state === 3 && (m.felix_active_local_policies ?? 0) >= minActivePolicies && stable >= 4;
      }, 90_000, 500);
    }
  }

  /** Stops everything and removes all traces. */
  public stop(): void {
    for (const p of this.procs) {
      try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    stopLab(this.dir);
    releaseLabLock();
  }

  public logTails(): string {
    if (!fs.existsSync(this.dir)) return '';
    return fs.readdirSync(this.dir).filter((f) => f.endsWith('.log')).map((f) => {
      const t = fs.readFileSync(path.join(this.dir, f), 'utf8').split('\n').slice(-12).join('\n');
      return `--- ${f}\n${t}`;
    }).join('\n');
  }

  public ensureNamespace(name: string, labels: Record<string, string> = {}): void {
    this.apply(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  }

  private cniNetconf(node: LabNode): object {
    return { cniVersion: '1.0.0', name: 'k8s-pod-network', ...calicoCniPlugin(node.name, path.join(this.dir, `cni-${node.name}.log`), this.nodeKubeconfig, this.ipv6?.ipam) };
  }

  private async waitForApiServer(everyMs: number): Promise<void> {
    await waitFor('kube-apiserver /readyz', () => {
      const r = spawnSync(path.join(this.bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, 'get', '--raw', '/readyz'], { encoding: 'utf8', timeout: 10_000 });
      return r.status === 0 && r.stdout.trim() === 'ok';
    }, 180_000, everyMs);
  }

  /** Starts a daemon in a network namespace, its output in <dir>/<name>.log; stopped with the lab. */
  public startDaemon(netns: string, name: string, cmd: string[], env: NodeJS.ProcessEnv = {}, hostMounts = false): ChildProcess {
    const log = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    // `ip netns exec` gives the process a mount namespace of its own (for /sys); a kubelet's mounts must be the
    // container runtime's too, so those two enter the network namespace only.
    const enter = hostMounts ? ['nsenter', `--net=/run/netns/${netns}`, '--'] : ['ip', 'netns', 'exec', netns];
    const p = spawn(enter[0], [...enter.slice(1), ...cmd], { stdio: ['ignore', log, log], detached: true, env: { ...process.env, ...env } });
    fs.closeSync(log);
    p.unref();
    this.procs.push(p);
    fs.appendFileSync(path.join(this.dir, 'pids'), `${p.pid}\n`);
    return p;
  }

  private async up(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    this.network();
    this.ipv6?.network(this);
    this.certificates();
    await this.controlPlane();
    this.installCalico();
    this.ipv6?.calico(this);
    if (this.nodeRuntime) await this.nodeRuntime.startNodes(this);
    else this.createNodes();
    this.startFelixes();
    await this.startDns();
    await this.waitForFelix();
  }

  private network(): void {
    for (const ns of [CP_NS, RT_NS, EXT_NS, ...this.nodes.map((n) => n.netns)]) {
      run('ip', ['netns', 'add', ns]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Router: the underlay bridge and the link to the external network.
    run('ip', ['-n', RT_NS, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', RT_NS, 'addr', 'add', `${RT_IP}/26`, 'dev', 'br0']);
    run('ip', ['-n', RT_NS, 'link', 'set', 'br0', 'up']);
    run('ip', ['netns', 'exec', RT_NS, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const underlay = (ns: string, ip: string, port: string): void => {
      run('ip', ['link', 'add', port, 'netns', RT_NS, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run('ip', ['-n', RT_NS, 'link', 'set', port, 'master', 'br0', 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${ip}/26`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', ns, 'route', 'add', 'default', 'via', RT_IP]);
    };
    underlay(CP_NS, CP_IP, 'p-cp');
    this.nodes.forEach((n, i) => {
      underlay(n.netns, n.ip, `p-n${i + 1}`);
      run('ip', ['netns', 'exec', n.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    });
    // External network: one link from the router; each external host is an address on the external side's lo.
    run('ip', ['link', 'add', 'ext0', 'netns', RT_NS, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', EXT_NS]);
    run('ip', ['-n', RT_NS, 'addr', 'add', `${EXT_LINK_RT}/30`, 'dev', 'ext0']);
    run('ip', ['-n', RT_NS, 'link', 'set', 'ext0', 'up']);
    run('ip', ['-n', EXT_NS, 'addr', 'add', `${EXT_LINK_EXT}/30`, 'dev', 'eth0']);
    run('ip', ['-n', EXT_NS, 'link', 'set', 'eth0', 'up']);
    run('ip', ['-n', EXT_NS, 'route', 'add', 'default', 'via', EXT_LINK_RT]);
    // The counting table: a chain at the very start of the external side's input path.
    run('ip', ['netns', 'exec', EXT_NS, 'nft', 'add table inet ceglab; add chain inet ceglab count { type filter hook prerouting priority -400; policy accept; }']);
    // The host reaches the API server over a /30 link into the control-plane namespace.
    run('ip', ['link', 'add', `${LAB_PREFIX}-host`, 'type', 'veth', 'peer', 'name', 'host0', 'netns', CP_NS]);
    run('ip', ['addr', 'add', `${HOST_LINK_IP}/30`, 'dev', `${LAB_PREFIX}-host`]);
    run('ip', ['link', 'set', `${LAB_PREFIX}-host`, 'up']);
    run('ip', ['-n', CP_NS, 'addr', 'add', `${CP_LINK_IP}/30`, 'dev', 'host0']);
    run('ip', ['-n', CP_NS, 'link', 'set', 'host0', 'up']);
  }

  private certificates(): void {
    const d = path.join(this.dir, 'pki');
    fs.mkdirSync(d, { recursive: true });
    const o = (...args: string[]): string => run('openssl', args);
    o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${d}/ca.key`, '-out', `${d}/ca.crt`, '-days', '2', '-subj', '/CN=ceglab-ca');
    const sign = (name: string, subj: string, ext: string): void => {
      o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${d}/${name}.key`, '-out', `${d}/${name}.csr`, '-subj', subj);
      fs.writeFileSync(`${d}/${name}.ext`, ext);
      o('x509', '-req', '-in', `${d}/${name}.csr`, '-CA', `${d}/ca.crt`, '-CAkey', `${d}/ca.key`, '-CAcreateserial', '-out', `${d}/${name}.crt`, '-days', '2', '-extfile', `${d}/${name}.ext`);
    };
    sign('apiserver', '/CN=kube-apiserver', `subjectAltName=IP:127.0.0.1,IP:${CP_IP},IP:${CP_LINK_IP},IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n`);
    sign('admin', '/O=system:masters/CN=ceglab-admin', 'extendedKeyUsage=clientAuth\n');
    o('genrsa', '-out', `${d}/sa.key`, '2048');
    o('rsa', '-in', `${d}/sa.key`, '-pubout', '-out', `${d}/sa.pub`);
    const kubeconfig = (server: string): string => kubeconfigJson(server, `${d}/ca.crt`, `${d}/admin.crt`, `${d}/admin.key`);
    fs.writeFileSync(this.kubeconfig, kubeconfig(`https://${CP_LINK_IP}:6443`));
    fs.writeFileSync(this.nodeKubeconfig, kubeconfig(`https://${CP_IP}:6443`));
    fs.writeFileSync(path.join(this.dir, 'cp.kubeconfig'), kubeconfig('https://127.0.0.1:6443'));
  }

  private async controlPlane(): Promise<void> {
    const d = path.join(this.dir, 'pki');
    this.startDaemon(CP_NS, 'etcd', [path.join(this.bin, 'etcd'), '--data-dir', path.join(this.dir, 'etcd'),
      '--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379',
      '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
      '--initial-cluster', 'default=http://127.0.0.1:2380', '--listen-metrics-urls', 'http://127.0.0.1:2381',
      '--quota-backend-bytes', String(2 ** 30), '--unsafe-no-fsync', '--log-level', 'warn']);
    this.startDaemon(CP_NS, 'kube-apiserver', [path.join(this.bin, 'kube-apiserver'),
      '--etcd-servers=http://127.0.0.1:2379', '--bind-address=0.0.0.0', '--secure-port=6443', `--advertise-address=${CP_IP}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`, `--tls-cert-file=${d}/apiserver.crt`, `--tls-private-key-file=${d}/apiserver.key`,
      `--client-ca-file=${d}/ca.crt`, '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${d}/sa.pub`, `--service-account-signing-key-file=${d}/sa.key`,
      // Node authorizer + NodeRestriction for real kubelets (test/lab/node); the API server reaches kubelets (logs, exec)
      // as the lab's admin.
      '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction', '--allow-privileged=true',
      `--kubelet-client-certificate=${d}/admin.crt`, `--kubelet-client-key=${d}/admin.key`, '--kubelet-preferred-address-types=InternalIP', '--enable-priority-and-fairness=false',
      '--profiling=false', '--v=1']);
    await this.waitForApiServer(1000);
    this.startDaemon(CP_NS, 'kube-controller-manager', [path.join(this.bin, 'kube-controller-manager'),
      `--kubeconfig=${path.join(this.dir, 'cp.kubeconfig')}`, `--authentication-kubeconfig=${path.join(this.dir, 'cp.kubeconfig')}`,
      `--authorization-kubeconfig=${path.join(this.dir, 'cp.kubeconfig')}`,
      `--service-account-private-key-file=${d}/sa.key`, `--root-ca-file=${d}/ca.crt`, '--leader-elect=false',
      // Without real nodes no kubelet reports node health: the node lifecycle controller would taint and evict every
      // pod. With them it is what lifts the not-ready taint a kubelet registers its Node with.
      `--controllers=*,${this.nodeRuntime ? '' : '-nodelifecycle,'}-nodeipam`, '--use-service-account-credentials=false', '--v=1']);
    // The namespace controller's precondition: the default ServiceAccount appears when the SA controller runs.
    await waitFor('kube-controller-manager (default ServiceAccount)', () =>
      spawnSync(path.join(this.bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, 'get', 'sa', 'default', '-n', 'default'], { stdio: 'ignore' }).status === 0, 120_000, 1000);
  }

  private installCalico(): void {
    // As a real install: the projectcalico.org/v3 CRD bundle with its admission policies, server-side applied.
    // In two passes: the CRDs first, and the admission policies only once the API server serves the v3 kinds. A policy
    // whose paramKind (a projectcalico.org/v3 kind) is not yet known when the policy is created stays unconfigured and
    // denies every request it matches with "failed to find resource referenced by paramKind" (CI hit this when the
    // bundle went in as one apply); a real install orders them the same way.
    const bundle = fs.readFileSync(CALICO_V3_BUNDLE, 'utf8').split(/^---[ \t]*$/m).filter(d => /^kind:/m.test(d));
    const isCrd = (d: string) => /^kind: CustomResourceDefinition[ \t]*$/m.test(d);
    this.kubectl(['apply', '--server-side', '-f', '-'], bundle.filter(isCrd).join('\n---\n'));
    this.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
    for (const kind of ['networkpolicies.projectcalico.org', 'globalnetworkpolicies.projectcalico.org', 'tiers.projectcalico.org']) {
      const deadline = Date.now() + 120_000;
      while (spawnSync(path.join(this.bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, 'get', kind, '-A'], { stdio: 'ignore' }).status !== 0) {
        if (Date.now() > deadline) throw new Error(`the API server does not serve ${kind} 120 s after its CRD was Established`);
        spawnSync('sleep', ['1']);
      }
    }
    this.kubectl(['apply', '--server-side', '-f', '-'], bundle.filter(d => !isCrd(d)).join('\n---\n'));
    // Felix of the Calico release the module proxy serves reads crd.projectcalico.org/v1 (see docs/lab.md).
    this.kubectl(['apply', '--server-side', '-f', CALICO_V1_CRDS]);
    for (const crd of ['clusterinformations.crd.projectcalico.org', 'ippools.crd.projectcalico.org', 'globalnetworkpolicies.projectcalico.org']) {
      this.kubectl(['wait', '--for=condition=Established', `crd/${crd}`, '--timeout=60s']);
    }
    // What calico-node's startup does on a fresh cluster: datastore ready, default tier, Felix's default configuration,
    // a default pool.
    this.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'ClusterInformation',
      metadata: { name: 'default' },
      spec: { datastoreReady: true, clusterType: 'k8s,kdd,lab', calicoVersion: 'v3.31.0', clusterGUID: crypto.randomBytes(16).toString('hex') },
    }));
    this.calicoctl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'default' }, spec: { order: 1000000 } }));
    this.calicoctl(['apply', '-f', '-'], JSON.stringify(CALICO_DEFAULT_FELIX_CONFIGURATION));
    this.setDefaultPoolNamespaces(this.defaultPoolSelector);
  }

  /** Which namespaces the lab's own pool (LAB_DEFAULT_POOL, NAT outgoing) serves. */
  public setDefaultPoolNamespaces(namespaceSelector: string): void {
    this.calicoctl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'projectcalico.org/v3',
      kind: 'IPPool',
      metadata: { name: 'lab-default' },
      spec: { cidr: LAB_DEFAULT_POOL, blockSize: 28, natOutgoing: true, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()', namespaceSelector, allowedUses: ['Workload'] },
    }));
  }

  private createNodes(): void {
    for (const n of this.nodes) {
      this.kubectl(['create', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' }, annotations: { 'projectcalico.org/IPv4Address': `${n.ip}/26` } },
      }));
      this.kubectl(['patch', 'node', n.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({
        status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }] },
      })]);
    }
  }

  private startFelixes(): void {
    for (const n of this.nodes) {
      const runDir = path.join(this.dir, n.name);
      fs.mkdirSync(runDir, { recursive: true });
      this.startDaemon(n.netns, `felix-${n.name}`, [path.join(this.bin, 'calico-felix')], {
        FELIX_DATASTORETYPE: 'kubernetes',
        KUBECONFIG: this.nodeKubeconfig,
        FELIX_FELIXHOSTNAME: n.name,
        NODENAME: n.name,
        FELIX_NFTABLESMODE: 'Enabled',
        FELIX_IPV6SUPPORT: 'false',
        FELIX_HEALTHENABLED: 'true',
        FELIX_HEALTHHOST: '127.0.0.1',
        FELIX_HEALTHPORT: '9099',
        FELIX_PROMETHEUSMETRICSENABLED: 'true',
        FELIX_PROMETHEUSMETRICSHOST: '127.0.0.1',
        FELIX_PROMETHEUSMETRICSPORT: '9091',
        FELIX_LOGSEVERITYSCREEN: 'Info',
        FELIX_LOGFILEPATH: 'none',
        FELIX_LOGSEVERITYSYS: 'none',
        FELIX_USAGEREPORTINGENABLED: 'false',
        FELIX_DEFAULTENDPOINTTOHOSTACTION: 'ACCEPT',
        FELIX_ENDPOINTSTATUSPATHPREFIX: runDir,
        FELIX_BPFENABLED: 'false',
        FELIX_ROUTESOURCE: 'WorkloadIPs',
        // Felix built with CGO_ENABLED=0 has libbpf stubs that panic ("LIBBPF syscall stub"); even with BPF off,
        // its start-up cleanup of a BPF connect-time load balancer opens a BPF map. This is Felix's own switch for
        // skipping that cleanup (there is no BPF state to clean up in a fresh namespace).
        FELIX_DebugSkipCTLBCleanup: 'true',
        ...this.felixEnv,
      });
    }
  }

  private async startDns(): Promise<void> {
    this.ensureNamespace('kube-system');
    this.apply(JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { clusterIP: CLUSTER_DNS, selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
    }));
    const records = [
      'no-resolv', 'no-hosts', 'no-poll', 'log-queries', 'port=53', 'user=root',
      'address=/card.example.test/203.0.113.10', 'address=/storage.example.test/198.51.100.10', 'address=/sftp.corp.test/172.16.10.5',
      'address=/kubernetes.default.svc.cluster.local/10.96.0.1',
    ];
    let ip: string;
    if (this.nodeRuntime) {
      ip = await this.nodeRuntime.startDns(this, records);
    } else {
      const pod = await this.createPod({ namespace: 'kube-system', name: 'dns', node: this.nodes.length - 1, labels: { 'k8s-app': 'kube-dns' } });
      this.dnsPod = pod;
      ip = pod.ip;
      const conf = path.join(this.dir, 'dnsmasq.conf');
      fs.writeFileSync(conf, [...records, 'bind-interfaces', 'listen-address=' + pod.ip].join('\n') + '\n');
      this.startProcess(pod, ['dnsmasq', '--keep-in-foreground', '--log-facility=-', `--conf-file=${conf}`, `--pid-file=${path.join(this.dir, 'dnsmasq.pid')}`], 'dnsmasq');
    }
    this.dnsIp = ip;
    await waitFor('kube-dns EndpointSlice with the DNS pod', () =>
      this.kubectl(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}']).includes(ip), 60_000, 1000);
  }
}

export class ExternalCounter {
  constructor(private readonly id: string) {}
  /** Packets counted so far. */
  public packets(): number {
    const out = run('ip', ['netns', 'exec', EXT_NS, 'nft', '-j', 'list', 'chain', 'inet', 'ceglab', 'count']);
    const rules = (JSON.parse(out).nftables as any[]).filter((e) => e.rule && e.rule.comment === this.id);
    if (rules.length !== 1) throw new Error(`counter ${this.id} not found`);
    const c = (rules[0].rule.expr as any[]).find((e) => e.counter);
    return c.counter.packets as number;
  }
}

/** Felix's Prometheus metrics (unlabelled series) on a node. */
export function felixMetrics(node: LabNode): Record<string, number> {
  const out = nsRun(node.netns, ['curl', '-sf', '--max-time', '3', 'http://127.0.0.1:9091/metrics'], { timeoutMs: 5000 });
  const m: Record<string, number> = {};
  for (const line of out.split('\n')) {
    const r = /^([a-z_]+) ([0-9.e+-]+)$/.exec(line);
    if (r) m[r[1]] = Number(r[2]);
  }
  return m;
}

const LOCK = `/tmp/${LAB_PREFIX}.lock`;

async function acquireLabLock(): Promise<void> {
  await waitFor('the lab lock (another lab is running on this machine)', () => {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return true;
    } catch {
      const holder = Number(fs.readFileSync(path.join(LOCK, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      const alive = holder > 0 && (() => { try { process.kill(holder, 0); return true; } catch { return false; } })();
      if (!alive) fs.rmSync(LOCK, { recursive: true, force: true });
      return false;
    }
  }, 20 * 60_000, 1000);
}

function releaseLabLock(): void {
  try {
    if (fs.readFileSync(path.join(LOCK, 'pid'), 'utf8') === String(process.pid)) fs.rmSync(LOCK, { recursive: true, force: true });
  } catch { /* not held */ }
}

function killNetnsProcesses(netns: string): void {
  const r = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' });
  for (const pid of (r.stdout ?? '').split(/\s+/).filter(Boolean)) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  }
}

/** Stops a lab started with this state dir (or left behind by a crashed run): processes, namespaces, links, files. */
export function stopLab(dir = `/tmp/${LAB_PREFIX}`): void {
  const pidFile = path.join(dir, 'pids');
  if (fs.existsSync(pidFile)) {
    for (const pid of fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean)) {
      try { process.kill(-Number(pid), 'SIGKILL'); } catch { /* gone */ }
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
  }
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const mine = list.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${LAB_PREFIX}-`));
  for (const ns of mine) killNetnsProcesses(ns);
  for (const ns of mine) tryRun('ip', ['netns', 'del', ns]);
  tryRun('ip', ['link', 'del', `${LAB_PREFIX}-host`]);
  teardownNodes(LAB_PREFIX, dir);
  fs.rmSync(dir, { recursive: true, force: true });
  // The lock of a lab whose starter has exited (scripts/lab/up.sh).
  const holder = (() => { try { return Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8')); } catch { return 0; } })();
  // Never this process's own lock: Lab.start calls this right after taking it (Lab.stop releases it). Removing it here
  // let a second lab start beside the first (two suites collided on "nodes node1 already exists").
  const alive = holder > 0 && (() => { try { process.kill(holder, 0); return true; } catch { return false; } })();
  if (!alive) fs.rmSync(LOCK, { recursive: true, force: true });
}
