/**
 * Issue 25's real-cluster lab: two zones with domain rules added to the example estate on Backend.CALICO, synthesized
 * and applied as the gateway lab applies it (gateway-lab.ts: real kube-apiserver, Felix v3.31 in nftables mode on
 * every node enforcing the zones' emitted GlobalNetworkPolicies), the egress-nat node agent started on node1 as its
 * DaemonSet container (the ConfigMap's file, the emitted ServiceAccount's token), and a DNS server on the external
 * network whose answers the test changes (test/agent/e2e/dns-lab.js). The agent's upstream is that server
 * (EGRESS_DNS_UPSTREAMS: in a cluster it is the agent's resolv.conf); the pods ask the lab's cluster DNS pod, as
 * their resolv.conf would (there is no kube-proxy in the lab, so they ask the DNS pod's address).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Destination, EgressZone, Port } from '../../../src';
import { TRAFFIC } from '../../agent/e2e/netns-lab';
import { exampleWarnings } from '../../support/example-warnings';
import { EstateAdditions, GatewayLab, kill } from '../gateway/gateway-lab';
import { ExternalCounter, LabPod, nsRun, waitFor } from '../lab';

export const DNS_LAB = path.resolve(__dirname, '..', '..', 'agent', 'e2e', 'dns-lab.js');
/** The DNS server whose answers the test writes (an external host). */
export const UPSTREAM = '198.18.25.53';
export const PORT = 443;
/** NodeLocal DNSCache's address on node1. */
export const NODE_LOCAL_DNS = '169.254.20.10';

export type Answers = { [name: string]: { a?: string[]; aaaa?: string[]; cname?: string; ttl?: number } };

/** orders: Stripe by name (exact, wildcard, and a name that is a CNAME); shop: its own API only. */
export const DOMAIN_ZONES: EstateAdditions = {
  options: { firewallExport: false },
  add: (estate) => {
    // NodeLocal DNSCache's address declared, as a cluster with it does (the agent rewrites queries to it).
    const orders = new EgressZone(estate, 'orders', { namespaces: ['orders'], dns: { cidrs: [`${NODE_LOCAL_DNS}/32`] } });
    orders.allow('stripe', {
      to: [Destination.domain('api.stripe.com'), Destination.domain('*.stripe.com'), Destination.domain('api.pay.example')],
      ports: [Port.tcp(PORT)],
    });
    const shop = new EgressZone(estate, 'shop', { namespaces: ['shop'] });
    shop.allow('shop-api', { to: [Destination.domain('api.shop.example')], ports: [Port.tcp(PORT)] });
  },
  warnings: domainWarnings(),
};

/** The example's warnings but the firewall files' (not written here: some formats cannot hold the wildcard). */
function domainWarnings(): (string | RegExp)[] {
  return exampleWarnings('calico').filter((w) => !w.startsWith('firewall export'));
}

export class DomainsLab {
  public static async start(): Promise<DomainsLab> {
    const g = await GatewayLab.start({ more: DOMAIN_ZONES });
    const d = new DomainsLab(g);
    try {
      await d.install();
    } catch (e) {
      g.lab.stop();
      throw e;
    }
    return d;
  }

  public orders!: LabPod;
  public shop!: LabPod;
  public agent!: ChildProcess;
  private readonly answersFile: string;
  private readonly hosts = new Set<string>();

  private constructor(public readonly g: GatewayLab) {
    this.answersFile = path.join(g.lab.dir, 'dns-answers.json');
  }

  public get lab() {
    return this.g.lab;
  }

  /** The zone's id in the ConfigMap's data-path document (the learned sets are named after it). */
  public zoneId(name: string): number {
    return JSON.parse(this.g.goodConfig).zones.find((z: any) => z.name === name).id;
  }

  /** What the DNS server answers from now on; every IPv4 address in it becomes an external host. */
  public setAnswers(a: Answers): void {
    for (const e of Object.values(a)) for (const ip of e.a ?? []) this.externalHost(ip);
    fs.writeFileSync(`${this.answersFile}.tmp`, JSON.stringify(a));
    fs.renameSync(`${this.answersFile}.tmp`, this.answersFile);
  }

  public externalHost(ip: string): void {
    if (!this.hosts.has(ip)) this.lab.addExternalHost(ip);
    this.hosts.add(ip);
  }

  /** One run of dns-lab.js in the pod (lookup, resolve, connect, loop); its JSON. */
  public dnsLab(pod: LabPod, argv: string[]): any {
    const out = nsRun(pod.netns, [process.execPath, DNS_LAB, ...argv], { timeoutMs: 120_000 });
    return JSON.parse(out.trim().split('\n').pop()!);
  }

  /** A lookup at the cluster DNS pod (own bytes, UDP unless tcp), then at once a connection to the first address. */
  public lookup(pod: LabPod, name: string, extra: string[] = []): any {
    return this.dnsLab(pod, ['lookup', '--server', this.lab.dnsIp!, '--name', name, '--connect', String(PORT), ...extra]);
  }

  public connects(pod: LabPod, ip: string): boolean {
    return this.dnsLab(pod, ['connect', '--ip', ip, '--port', String(PORT)]).connected;
  }

  /** Packets that reached the external network for an address on the rule's port, counted from now on. */
  public counter(ip: string) {
    this.externalHost(ip);
    return this.lab.externalCounter({ daddr: ip, proto: 'tcp', dport: PORT });
  }

  /** New connections (SYNs) that reached the external network for an address on the rule's port, from now on. */
  public synCounter(ip: string): ExternalCounter {
    this.externalHost(ip);
    const id = `syn${crypto.randomBytes(5).toString('hex')}`;
    nsRun(this.lab.externalNetns, ['nft', `add rule inet ceglab count ip daddr ${ip} tcp dport ${PORT} tcp flags & (syn | ack) == syn counter comment "${id}"`]);
    return new ExternalCounter(id);
  }

  /** The learned set's text on node1 (`nft list set`). */
  public learned(set: string): string {
    return nsRun(this.lab.nodes[0].netns, ['nft', 'list', 'set', 'inet', 'cdk8s_egress_dns', set]);
  }

  /** One long-lived TCP connection from the pod to ip:443 echoing every `everyMs` for `ms` (traffic.js). */
  public stream(pod: LabPod, ip: string, everyMs: number, ms: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const p = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, TRAFFIC, 'tcp', '--to', `${ip}:${PORT}`, '--interval', String(everyMs), '--duration', String(ms)],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (x) => (out += x));
      p.on('close', () => {
        try {
          resolve(JSON.parse(out.trim().split('\n').pop()!));
        } catch {
          reject(new Error(`traffic.js tcp printed no JSON: ${out}`));
        }
      });
    });
  }

  /** The node agent on node1, as its DaemonSet container; resolves once its DNS proxy serves. */
  public async startAgent(): Promise<void> {
    const mark = this.g.logOf('egress-nat-node1').length;
    this.agent = this.g.startNodeAgent('node1', [`EGRESS_DNS_UPSTREAMS=${UPSTREAM}`]);
    await waitFor('the node agent\'s DNS proxy serving', () => /DNS proxy serving/.test(this.g.logOf('egress-nat-node1').slice(mark)), 60_000, 200);
  }

  public killAgent(): void {
    kill(this.agent, 'SIGKILL');
  }

  private async install(): Promise<void> {
    const lab = this.lab;
    // The lab's own NAT-outgoing pool serves the new zones' namespaces too (as an installation's default pool would).
    lab.setDefaultPoolNamespaces('kubernetes.io/metadata.name in {"kube-system", "partners", "plain", "orders", "shop"}');
    this.setAnswers({});
    this.externalHost(UPSTREAM);
    lab.startProcess(lab.externalNetns, [process.execPath, DNS_LAB, 'server', '--bind', UPSTREAM, '--answers', this.answersFile], 'dns-lab-server');
    await waitFor('the test\'s DNS server', () => nsRun(lab.externalNetns, ['ss', '-Hlnt', 'sport = :53']).includes(UPSTREAM), 30_000, 200);
    this.orders = await lab.createPod({ namespace: 'orders', name: 'orders-1', node: 0 });
    this.shop = await lab.createPod({ namespace: 'shop', name: 'shop-1', node: 0 });
    await lab.waitForEndpoint(this.orders);
    await lab.waitForEndpoint(this.shop);
    await lab.waitForFelix();
    this.nodeLocalDns();
    await this.startAgent();
  }

  /**
   * NodeLocal DNSCache on node1 as node-cache sets it up: its address on the node (a dummy device, or lo where the
   * kernel has none) and its iptables NOTRACK/ACCEPT rules; the cache itself is a DNS server on that address whose
   * answers all say 198.18.25.99 (an answer from it, not through the proxy, would show).
   */
  private nodeLocalDns(): void {
    const ns = this.lab.nodes[0].netns;
    const dummy = spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'add', 'nodelocaldns', 'type', 'dummy']).status === 0;
    const dev = dummy ? 'nodelocaldns' : 'lo';
    nsRun(ns, ['ip', 'addr', 'add', `${NODE_LOCAL_DNS}/32`, 'dev', dev]);
    nsRun(ns, ['ip', 'link', 'set', dev, 'up']);
    for (const p of ['udp', 'tcp']) {
      nsRun(ns, ['iptables', '-t', 'raw', '-A', 'PREROUTING', '-p', p, '-d', NODE_LOCAL_DNS, '--dport', '53', '-j', 'NOTRACK']);
      nsRun(ns, ['iptables', '-t', 'raw', '-A', 'OUTPUT', '-p', p, '-s', NODE_LOCAL_DNS, '--sport', '53', '-j', 'NOTRACK']);
      nsRun(ns, ['iptables', '-t', 'raw', '-A', 'OUTPUT', '-p', p, '-d', NODE_LOCAL_DNS, '--dport', '53', '-j', 'NOTRACK']);
      nsRun(ns, ['iptables', '-t', 'filter', '-A', 'INPUT', '-p', p, '-d', NODE_LOCAL_DNS, '--dport', '53', '-j', 'ACCEPT']);
      nsRun(ns, ['iptables', '-t', 'filter', '-A', 'OUTPUT', '-p', p, '-s', NODE_LOCAL_DNS, '--sport', '53', '-j', 'ACCEPT']);
    }
    const cacheAnswers = path.join(this.lab.dir, 'node-cache-answers.json');
    fs.writeFileSync(cacheAnswers, JSON.stringify({ 'cache.stripe.com': { a: ['198.18.25.99'] } }));
    this.lab.startProcess(ns, [process.execPath, DNS_LAB, 'server', '--bind', NODE_LOCAL_DNS, '--answers', cacheAnswers], 'node-cache');
  }
}
