/**
 * The gateway's real-cluster lab (issue 16): the example estate's EgressGateway output on a real kube-apiserver with
 * Felix on every node, the replicas as real Pods, and the agents started as the kubelet would start their containers.
 * This module holds the lab's moving parts (replicas, node agents, traffic); gateway.lab.test.ts holds the behaviours.
 *
 * Differences from a kubelet, said here once: there is no kube-proxy in the lab, so the in-cluster config points at
 * the API server's own address instead of the `kubernetes` Service VIP; the config file is the lab's copy of the
 * ConfigMap rather than /etc/cdk8s-egress (the same bytes; a ConfigMap update is a write of that file); the lab plays
 * the kubelet's part of a Pod's end (SIGTERM, then the network) by hand.
 */
import { ChildProcess, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { appliedIn, deadIn } from './agent-logs';
import { carrying, FlowStats, forgetUdp, IPERF_PORT, PARTNER, startPartner, tcpFlow, TcpStats, udpFlows, UDP_PORT } from './gateway-traffic';
import { EgressEstate, EgressEstateOptions } from '../../../examples/app/main';
import { Destination, EgressZone, Port } from '../../../src';
import { AGENT_MAIN, AGENT_NODE } from '../../agent/e2e/netns-lab';
import { exampleWarnings } from '../../support/example-warnings';
import { installIstioCrds } from '../istio-install';
import { Lab, LabOptions, LabPod, nsRun, waitFor } from '../lab';
import { synthApp, toYaml } from '../suite';

export type { FlowStats } from './gateway-traffic'; export { PARTNER, UDP_PORT, IPERF_PORT } from './gateway-traffic';

export const NS = 'egress-gateway';
const SA = 'egress-nat';
const CALICO_KINDS = new Set(['IPPool', 'GlobalNetworkPolicy', 'GlobalNetworkSet', 'NetworkPolicy', 'NetworkSet']);

/**
 * The example estate, synthesized in-process, plus one lab-only rule on the partners zone: a UDP echo port (the
 * failover gap is the longest gap of a UDP stream: a TCP connection cannot change replica) and iperf3's port.
 */
export function synthGatewayEstate(options: EgressEstateOptions = {}, more?: EstateAdditions): any[] {
  const before = process.env.BACKEND;
  delete process.env.BACKEND;
  try {
    return synthApp((app) => {
      const estate = new EgressEstate(app, 'egress', { ...options, ...more?.options });
      const partners = estate.node.findChild('partners') as EgressZone;
      partners.allow('lab-traffic', { to: [Destination.cidr(`${PARTNER}/32`, 'lab echo server')], ports: [Port.udp(UDP_PORT), Port.tcp(IPERF_PORT)] });
      more?.add(estate);
    }, 'egress.k8s.yaml', more?.warnings ?? exampleWarnings('calico'));
  } finally {
    if (before !== undefined) process.env.BACKEND = before;
  }
}

/** A suite's own zones on top of the example estate (test/lab/domains), and what the synth then warns. */
export type EstateAdditions = { options?: EgressEstateOptions; add: (estate: EgressEstate) => void; warnings: (string | RegExp)[] };

export interface Replica {
  readonly pod: LabPod;
  proc: ChildProcess;
  readonly log: string;
}

/** One failover: which replica was lost, and what the flows saw. */
export interface FailoverTrial {
  readonly flows: FlowStats[];
  readonly victim: Replica;
  readonly survivor: Replica;
  readonly moved: FlowStats[]; // the flows that were on the victim
  readonly gap: number; // the longest gap of a moved flow (ms)
  /** The longest gap of a flow that was on the survivor all along (ms; 0 when there was none). */
  readonly survivorsWorstGap: number;
  readonly deadAfterMs?: number; // from the loss to node1's "dead" verdict (probe path only)
}

/** Another app than the example's (docs: dual-stack.lab.test.ts) or zones added to it (more: domains/); lab mode; partner's IPv6. */
export interface GatewayLabOptions {
  readonly lab?: LabOptions; readonly docs?: () => any[]; readonly more?: EstateAdditions; readonly partner6?: string;
}

export class GatewayLab {
  public static async start(options: GatewayLabOptions = {}): Promise<GatewayLab> {
    const lab = await Lab.start({ nodes: 3, ...options.lab });
    const g = new GatewayLab(lab, options);
    try {
      await g.install();
    } catch (e) {
      lab.stop();
      throw e;
    }
    return g;
  }

  public docs: any[] = [];
  /** The live gateway replicas, one per gateway node. */
  public readonly replicas: Replica[] = [];
  public configFile = '';
  public goodConfig = '';
  public token = '';
  public readonly nodeAgents = new Map<string, ChildProcess>();
  private readonly work: string;
  private seq = 0;

  private constructor(public readonly lab: Lab, private readonly options: GatewayLabOptions = {}) {
    this.work = path.join(lab.dir, 'gateway');
    fs.mkdirSync(this.work, { recursive: true });
  }

  public kind(k: string, name?: string): any {
    return this.docs.find((d) => d.kind === k && (!name || d.metadata.name === name));
  }

  public logOf(name: string): string {
    const f = path.join(this.lab.dir, `${name}.log`);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
  }

  /** kubectl as the egress-nat ServiceAccount (its token only): exit status and output. */
  public asAgent(args: string[]) {
    return spawnSync(path.join(this.lab.bin, 'kubectl'), [
      '--kubeconfig', '/dev/null', '--server', 'https://169.254.77.2:6443', '--certificate-authority', path.join(this.lab.dir, 'pki', 'ca.crt'),
      '--token', this.token, ...args,
    ], { encoding: 'utf8', timeout: 30_000 });
  }

  /** A gateway replica: a Pod from the Deployment's template on `nodeIndex`, its sysctls, its agent started. */
  public async startReplica(nodeIndex: number): Promise<Replica> {
    const tpl = this.kind('Deployment').spec.template;
    const name = `egress-gateway-lab-${++this.seq}`;
    const { labels, annotations } = tpl.metadata;
    const pod = await this.lab.createPod({ namespace: NS, name, node: nodeIndex, labels, annotations });
    for (const s of tpl.spec.securityContext.sysctls ?? []) nsRun(pod.netns, ['sysctl', '-qw', `${s.name}=${s.value}`]);
    runInitContainers(pod.netns, tpl.spec);
    const replica: Replica = { pod, proc: undefined as unknown as ChildProcess, log: name };
    this.startGatewayAgent(replica);
    await waitFor(`${name} programmed`, () => this.appliedAt(replica) > 0, 60_000, 200);
    return replica;
  }

  /** (Re)starts a replica's agent process in its pod, as the kubelet starts (or restarts) the container. */
  public startGatewayAgent(r: Replica): void {
    const container = this.kind('Deployment').spec.template.spec.containers[0];
    const args = container.args.map((a: string) => (a === '/etc/cdk8s-egress/data-path.json' ? this.configFile : a));
    // status.podIPs as the downward API gives it to a dual-stack gateway: its addresses, comma-separated.
    r.proc = this.lab.startProcess(r.pod, ['env', `POD_IP=${[r.pod.ip, r.pod.ip6].filter(Boolean).join(',')}`, AGENT_NODE, AGENT_MAIN, ...args], r.log);
  }

  /** When the replica's agent last logged "applied" with its egress IP (0: not yet): the moment it is ready. */
  public appliedAt(r: Replica): number {
    return appliedIn(this.logOf(r.log), r.pod.ip);
  }

  /** The replica dies without the API knowing (its node or sandbox fails): agent killed, its interface cut. */
  public killReplica(r: Replica): void {
    kill(r.proc, 'SIGKILL');
    nsRun(r.pod.node.netns, ['ip', 'link', 'set', r.pod.hostInterface, 'down']);
  }

  /** Kills only the replica's agent process; its Pod and data path stay. */
  public killGatewayAgent(r: Replica): void {
    kill(r.proc, 'SIGKILL');
  }

  /** Starts the egress-nat node agent on a node, with the emitted ServiceAccount's token where in-cluster config reads it. */
  public startNodeAgent(nodeName: string, env: string[] = [], extraArgs: string[] = []): ChildProcess {
    const n = this.lab.nodes.find((x) => x.name === nodeName)!;
    const sa = path.join(this.work, 'serviceaccount');
    const ds = this.kind('DaemonSet').spec.template.spec.containers[0];
    const args = ds.args.map((a: string) => (a === '/etc/cdk8s-egress/data-path.json' ? this.configFile : a));
    const mount = '/run/secrets/kubernetes.io/serviceaccount';
    const script = `mkdir -p ${mount} && mount -t tmpfs tmpfs ${mount} && cp ${sa}/token ${sa}/ca.crt ${sa}/namespace ${mount}/ && exec "$@"`;
    runInitContainers(n.netns, this.kind('DaemonSet').spec.template.spec);
    const p = this.lab.startProcess(n.netns, ['unshare', '-m', 'sh', '-c', script, 'sh', 'env', 'KUBERNETES_SERVICE_HOST=192.0.2.2', 'KUBERNETES_SERVICE_PORT=6443',
      `NODE_NAME=${n.name}`, ...env, AGENT_NODE, AGENT_MAIN, ...args, ...extraArgs], `egress-nat-${n.name}`);
    this.nodeAgents.set(nodeName, p);
    return p;
  }

  /**
   * The last health transition a node's agent logged for a replica's address (undefined: none yet), from offset
   * `after` of its log on (calico-ipam hands a replaced replica's address to the next Pod).
   */
  public healthOn(nodeName: string, r: Replica, after = 0): string | undefined {
    const re = new RegExp(`"ip":"${r.pod.ip.replace(/\./g, '\\.')}","from":"[a-z-]+","to":"([a-z-]+)"`, 'g');
    const all = [...this.logOf(`egress-nat-${nodeName}`).slice(after).matchAll(re)];
    return all.length ? all[all.length - 1][1] : undefined;
  }

  /** A dead or deleted replica is replaced on the same node, as the Deployment would; waits until node1 uses it. */
  public async replace(old: Replica, alreadyDeleted = false): Promise<Replica> {
    const i = this.replicas.indexOf(old);
    if (!alreadyDeleted) this.lab.deletePod(old.pod);
    const mark = this.logOf('egress-nat-node1').length;
    const r = await this.startReplica(this.lab.nodes.indexOf(old.pod.node));
    this.replicas[i] = r;
    await waitFor(`${r.pod.name} ready on node1`, () => this.healthOn('node1', r, mark) === 'ready', 30_000, 100);
    return r;
  }

  /**
   * Failover under a 1,000 packets/s stream per flow (8 UDP flows from `client`): the replica carrying the client's
   * flows is lost, by dying unseen by the API (`dies`: the probe path) or by a forced Pod deletion through the API
   * while it still forwards (`deleted`: the EndpointSlice path). The replica is replaced afterwards.
   */
  public async failoverTrial(client: LabPod, how: 'dies' | 'deleted'): Promise<FailoverTrial> {
    // Earlier streams' UDP entries linger in the replicas' conntrack; without them, "carrying" names a replica that
    // carries this stream's flows (all 8 may hash to one replica: then it is that one).
    forgetUdp(this.replicas);
    const stream = this.udp(client, 8, 1, 3500);
    await new Promise((r) => setTimeout(r, 800));
    const victim = this.carrying(this.replicas, client, 'udp', UDP_PORT)[0] ?? this.replicas[0];
    const survivor = this.replicas.find((r) => r !== victim)!;
    const mark = this.logOf('egress-nat-node1').length;
    const lostAt = Date.now();
    if (how === 'dies') this.killReplica(victim);
    else this.lab.deletePodThroughApi(victim.pod, 0);
    const flows = await stream;
    const moved = flows.filter((f) => f.egress[0] === victim.pod.ip);
    const stayed = flows.filter((f) => f.egress[0] !== victim.pod.ip);
    const dead = deadIn(this.logOf('egress-nat-node1').slice(mark), victim.pod.ip);
    const trial: FailoverTrial = {
      flows,
      victim,
      survivor,
      moved,
      gap: Math.max(0, ...moved.map((f) => f.maxGapMs)),
      survivorsWorstGap: Math.max(0, ...stayed.map((f) => f.maxGapMs)),
      deadAfterMs: how === 'dies' && dead ? dead - lostAt : undefined,
    };
    if (how === 'deleted') this.lab.removePodNetwork(victim.pod);
    await this.replace(victim, how === 'deleted');
    return trial;
  }

  /** iperf3 TCP from a pod to the partner for `seconds`, `streams` parallel streams: bits per second received. */
  public iperf(pod: LabPod, seconds: number, streams = 1): number {
    const r = spawnSync('ip', ['netns', 'exec', pod.netns, 'iperf3', '-c', PARTNER, '-p', String(IPERF_PORT), '-t', String(seconds), '-P', String(streams), '-J'],
      { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
    const j = JSON.parse(r.stdout || '{}');
    if (!j.end?.sum_received) throw new Error(`iperf3 from ${pod.name} failed: ${j.error ?? r.stderr}`);
    return j.end.sum_received.bits_per_second as number;
  }

  /** UDP flows from a pod to the partner's echo port (one socket per flow); resolves with each flow's summary. */
  public udp(pod: LabPod, flows: number, everyMs: number, durationMs: number): Promise<FlowStats[]> {
    return udpFlows(pod, flows, everyMs, durationMs);
  }

  /** One long-lived TCP connection to the partner's 443 echo. */
  public tcp(pod: LabPod, everyMs: number, durationMs: number): Promise<TcpStats> {
    return tcpFlow(pod, everyMs, durationMs);
  }

  /** Which replica carries the pod's connections to `dport` right now (its pod network's conntrack). */
  public carrying(replicas: Replica[], from: LabPod, proto: 'tcp' | 'udp', dport: number): Replica[] {
    return carrying(replicas, from, proto, dport);
  }

  public writeConfig(text: string): void {
    // As the kubelet updates a ConfigMap volume: the new file appears whole (rename), never half-written.
    fs.writeFileSync(`${this.configFile}.tmp`, text);
    fs.renameSync(`${this.configFile}.tmp`, this.configFile);
  }

  private async install(): Promise<void> {
    const lab = this.lab;
    this.docs = this.options.docs?.() ?? synthGatewayEstate({}, this.options.more);
    if (!this.options.docs) installIstioCrds(lab); // the example's checkout zone (issue 26) emits Istio and Gateway API objects
    for (const ns of new Set(this.docs.map((d) => d.metadata?.namespace).filter(Boolean))) lab.ensureNamespace(ns as string);
    // Everything the estate emits (the gateway's IPPool, Deployment, PDB, Service, policy, ConfigMap, DaemonSet,
    // ServiceAccount, RBAC, and the zones' policies); Calico kinds also through calicoctl, which Felix reads.
    lab.apply(toYaml(this.docs));
    lab.calicoctl(['apply', '-f', '-'], toYaml(this.docs.filter((d) => d.apiVersion === 'projectcalico.org/v3' && CALICO_KINDS.has(d.kind))));
    // The lab's own natOutgoing pool (an installation's default pool) serves the namespaces no estate pool serves.
    lab.setDefaultPoolNamespaces('kubernetes.io/metadata.name in {"kube-system", "partners", "plain"}');
    // The ConfigMap volume: the file the agents read, byte for byte.
    this.configFile = path.join(this.work, 'data-path.json');
    this.goodConfig = this.kind('ConfigMap', 'egress-data-path').data['data-path.json'];
    this.writeConfig(this.goodConfig);
    await startPartner(lab, this.options.partner6);
    this.token = lab.kubectl(['create', 'token', SA, '-n', NS, '--duration', '2h']).trim();
    const sa = path.join(this.work, 'serviceaccount');
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, 'token'), this.token);
    fs.copyFileSync(path.join(lab.dir, 'pki', 'ca.crt'), path.join(sa, 'ca.crt'));
    fs.writeFileSync(path.join(sa, 'namespace'), NS);
  }
}

/** The pod's init containers, as the kubelet runs them before the agent: the image's entrypoint with their args, to completion. */
export function runInitContainers(netns: string, spec: any): void {
  for (const c of spec.initContainers ?? []) {
    const r = spawnSync('ip', ['netns', 'exec', netns, AGENT_NODE, AGENT_MAIN, ...c.args], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`init container ${c.name} (${c.args.join(' ')}) failed in ${netns}: ${r.stderr}`);
  }
}

/** Signals a process started by Lab.startProcess (its own process group: `ip netns exec` execs the command). */
export function kill(p: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (!p?.pid) return;
  try {
    process.kill(-p.pid, signal);
  } catch { /* gone */ }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
