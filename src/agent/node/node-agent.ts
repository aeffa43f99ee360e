// The agents' own runtime dependencies: installed in the images, never in the construct library.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AddressObserver } from './address-observer';
import { DnsEnforcer, DnsKernel } from './dns-enforcer';
import { computeNodeDesired, nodeOwnership, retiredPinRedirects, slotsFromKernel } from './node-desired-state';
import { NODE_NFT_TABLE } from './node-ruleset';
import { ProbeVolley } from './probe-volley';
import type { ProbeObserver } from './prober-options';
import { ReplicaProber } from './replica-prober';
import { ReplyLiveness } from './reply-liveness';
import { staleConntrackEntries } from './stale-conntrack';
import { DataPathConfig, parseDataPathConfig } from '../../datapath';
import { ClusterSource } from '../shared/cluster-source';
import { startHealthServer } from '../shared/health-server';
import { Kernel } from '../shared/kernel';
import { log } from '../shared/log';
import { planNetChanges } from '../shared/net-plan';
import { NetState } from '../shared/net-state';
import { NftTableApplier } from '../shared/nft-table-applier';
import { ObservedCluster } from '../shared/observed-state';
import { Reconciler } from '../shared/reconciler';
import { WatchedFile } from '../shared/watched-file';

export interface NodeAgentOptions {
  readonly configPath: string;
  readonly source: ClusterSource;
  readonly kernel: Kernel;
  readonly healthPort?: number;
  readonly healthHost?: string;
  /** The DNS enforcement's kernel (nft, ip); without it domain rules are not enforced (unit tests of the rest). */
  readonly dnsKernel?: DnsKernel;
  /** Records staged zones' external destinations (data-path `observe`); without it the section is ignored. */
  readonly observer?: AddressObserver;
  /** The replicas' replies as proof of life (reply-liveness.ts); without it the probes alone decide. */
  readonly liveness?: ReplyLiveness;
  /** Extra probes when an answer is overdue (probe-volley.ts); without it only the cadence probes. */
  readonly volley?: ProbeVolley;
}

/**
 * egress-nat: steers zone pods' external traffic into VXLAN towards ready gateway replicas and
 * applies node-level SNAT for NAT pools. Order of events:
 * 1. the configuration must parse (else the process exits: nothing programmed);
 * 2. nothing is programmed until the cluster view arrived and every replica has a probe verdict;
 * 3. each sync: list the kernel, compute, add/replace routes and nexthops, update the nftables table
 *    (nft-table-swap.ts: maps edited in place, changed interval sets rebuilt beside), then remove what is stale;
 * 4. after the first sync, stale conntrack entries are flushed and only then /readyz turns 200.
 * Exiting (crash or signal) removes nothing: the last good rules keep working.
 */
export class NodeAgent {
  public readonly registry = new Registry();
  private config: DataPathConfig;
  private cluster?: ObservedCluster;
  private readonly prober: ReplicaProber;
  private readonly reconciler: Reconciler;
  private configFile?: WatchedFile;
  private readonly table: NftTableApplier;
  private applied?: NetState;
  private resyncTimer?: NodeJS.Timeout;
  private firstSyncDone = false;
  private readonly metrics;
  /** Domain rules (docs/domain-names.md): their own table and DNS proxy, beside the steering; null: none, table removed. */
  private dns?: DnsEnforcer | null;

  constructor(private readonly opts: NodeAgentOptions, initialConfigText: string) {
    this.config = parseDataPathConfig(initialConfigText);
    // Probes ride the tunnel of the gateway's lowest zone (every tunnel of a replica comes up together).
    // Round trips against the silence window (intervals × threshold): the margin before probes alone would call a live replica dead.
    const probeRtt = new Histogram({
      name: 'egress_nat_probe_rtt_seconds',
      help: 'Round trip of the data-path probes that were answered, by gateway and family',
      labelNames: ['gateway', 'family'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    const probesSent = new Counter({ name: 'egress_nat_probes_sent_total', help: 'Data-path probes sent (volleys included), by gateway and family', labelNames: ['gateway', 'family'], registers: [this.registry] });
    const volleys = new Counter({ name: 'egress_nat_probe_volleys_total', help: 'Answers overdue, so a volley of extra probes went out, by gateway and family', labelNames: ['gateway', 'family'], registers: [this.registry] });
    const probed = new Set<string>();
    const observer: ProbeObserver = {
      sent: (gateway, family) => {
        probesSent.inc({ gateway, family });
        // Exported from the first probe on, at 0: a rate over "no series yet" would read as no data, not as none.
        if (!probed.has(`${gateway} ${family}`) && probed.add(`${gateway} ${family}`)) volleys.inc({ gateway, family }, 0);
      },
      answered: (gateway, rttMs, family) => probeRtt.observe({ gateway, family }, rttMs / 1000),
      volley: (gateway, family) => volleys.inc({ gateway, family }),
    };
    this.prober = new ReplicaProber(() => this.reconciler.trigger(),
      (gateway) => this.config.zones.filter((z) => z.gateway === gateway).sort((a, b) => a.id - b.id)[0]?.vni,
      { liveness: opts.liveness, observer, volley: opts.volley });
    this.reconciler = new Reconciler((full) => this.sync(full), { minBackoffMs: 100, maxBackoffMs: 5000 });
    this.table = new NftTableApplier(opts.kernel);
    this.metrics = {
      replicas: new Gauge({ name: 'egress_nat_gateway_replicas', help: 'Gateway replicas by health as this node sees them', labelNames: ['gateway', 'health'], registers: [this.registry] }),
      syncs: new Counter({ name: 'egress_nat_syncs_total', help: 'Completed syncs', registers: [this.registry] }),
      syncFailures: new Counter({ name: 'egress_nat_sync_failures_total', help: 'Failed syncs (retried with backoff)', registers: [this.registry] }),
      configErrors: new Counter({ name: 'egress_nat_config_rejected_total', help: 'Configuration updates rejected', registers: [this.registry] }),
      flushed: new Counter({ name: 'egress_nat_conntrack_flushed_total', help: 'Stale conntrack entries flushed at start', registers: [this.registry] }),
    };
    // The DNS proxy's counts, read when scraped (gauges: they restart with the process, like the proxy's own counts).
    const dns = () => this.dns?.stats;
    new Gauge({
      name: 'egress_nat_dns_cap_hits',
      help: 'DNS answers whose addresses hit a per-name or per-zone cap since start',
      registers: [this.registry],
      collect() { this.set(dns()?.capHits ?? 0); },
    });
    new Gauge({
      name: 'egress_nat_dns_answers',
      help: 'DNS answers since start, by outcome (servfail: upstream or programming failed)',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        this.set({ outcome: 'answered' }, dns()?.answered ?? 0);
        this.set({ outcome: 'servfail' }, dns()?.failed ?? 0);
      },
    });
  }

  public async start(): Promise<void> {
    // Kernel quirk: multipath (and resilient group) hashing defaults to L3 (addresses only), which
    // would send every flow of a pod to a destination through the same replica. L4 spreads flows.
    // A host-network pod cannot have pod sysctls, and unprivileged it cannot write the host's: spreading
    // then falls back to per-address hashing (still correct, less even), so warn instead of failing.
    try {
      await this.opts.kernel.setSysctl('net.ipv4.fib_multipath_hash_policy', '1');
    } catch (err) {
      log('warn', 'flows are spread by address only', { reason: (err as Error).message });
    }
    if (this.opts.healthPort) {
      await startHealthServer(this.opts.healthPort, this.opts.healthHost ?? '0.0.0.0', {
        live: () => true,
        notReadyReason: () => (this.firstSyncDone ? undefined : 'not synced'),
      }, this.registry);
    }
    this.configFile = new WatchedFile(this.opts.configPath, (text) => this.onConfigText(text));
    this.configFile.check();
    await this.opts.source.start(this.config, (o) => this.onCluster(o));
    this.resyncTimer = setInterval(() => this.reconciler.trigger(true), 60_000);
  }

  public stop(): void {
    clearInterval(this.resyncTimer);
    this.reconciler.stop();
    this.prober.stop();
    this.configFile?.close();
    this.opts.source.stop();
    this.dns?.stop();
  }

  private onConfigText(text: string): void {
    let next: DataPathConfig;
    try {
      next = parseDataPathConfig(text);
    } catch (e) {
      this.metrics.configErrors.inc();
      log('error', 'configuration rejected; the running rules are kept', { path: this.opts.configPath, error: (e as Error).message });
      return;
    }
    if (JSON.stringify(next) === JSON.stringify(this.config)) return;
    this.config = next;
    log('info', 'configuration updated');
    void this.opts.source.start(next, (o) => this.onCluster(o));
    if (this.cluster) this.prober.setTargets(this.cluster.gateways, this.config.gateways);
    this.syncDns();
    this.syncObserver();
    this.reconciler.trigger();
  }

  private onCluster(o: ObservedCluster): void {
    this.cluster = o;
    this.prober.setTargets(o.gateways, this.config.gateways); // triggers a sync
    this.syncDns();
    this.syncObserver();
  }

  private syncObserver(): void {
    if (this.cluster) this.opts.observer?.update(this.config, this.cluster.pods).catch(() => undefined); // logged by the observer
  }

  private syncDns(): void {
    const kernel = this.opts.dnsKernel;
    if (!this.cluster || !kernel) return;
    if (!this.config.domains) {
      // No domain rules (any more): no DNAT of pods' DNS to a proxy that is not there. Once per change.
      if (this.dns !== null) {
        this.dns?.stop();
        this.dns = null;
        kernel.deleteTable().catch((e) => log('error', 'DNS table not removed; retried on the next change', { error: (e as Error).message }));
      }
      return;
    }
    const upstreams = process.env.EGRESS_DNS_UPSTREAMS?.split(',').filter(Boolean);
    this.dns ??= new DnsEnforcer(this.config, kernel, upstreams?.length ? upstreams : undefined);
    this.dns.update(this.config, this.cluster.pods).catch((e) => log('error', 'DNS enforcement not applied; retried on the next change', { error: (e as Error).message }));
  }

  private async sync(full: boolean): Promise<void> {
    if (!this.cluster || !this.prober.settled()) return; // first complete sync of inputs not there yet
    const config = this.config;
    const kernel = this.opts.kernel;
    const replicas = this.prober.view();
    // The kernel is listed on full resyncs (start, after any failure, every minute); in between the
    // last applied state stands in for it, which keeps process spawns off the failover path.
    const current = full || !this.applied ? await kernel.readNet(nodeOwnership(config)) : this.applied;
    this.applied = undefined;
    const desired = computeNodeDesired(config, { pods: this.cluster.pods, replicas, previousSlots: slotsFromKernel(config, current) });
    const { add, remove } = planNetChanges(current, desired.net);
    add.push(...retiredPinRedirects(config, current, desired.net)); // failover: one process spawn moves the flows
    try {
      await kernel.applyNet(add);
      // Pod and replica changes edit the maps in place; interval sets are rebuilt beside (nft-table-swap.ts).
      const swap = await this.table.apply(desired.ruleset, full);
      if (swap?.stage) log('info', 'table sets rebuilt', { sets: swap.staged, stageMs: swap.stageMs, swapMs: swap.swapMs });
      await kernel.applyNet(remove);
    } catch (e) {
      this.metrics.syncFailures.inc();
      throw e;
    }
    this.applied = desired.net;
    this.metrics.syncs.inc();
    this.metrics.replicas.reset();
    for (const r of replicas) this.metrics.replicas.inc({ gateway: r.gateway, health: r.health });
    if (add.length + remove.length > 0) {
      log('info', 'applied', { changes: add.length + remove.length, replicas: replicas.map((r) => `${r.ip}=${r.health}${r.healthV6 ? `/v6:${r.healthV6}` : ''}`) });
    }
    if (!this.firstSyncDone) {
      const stale = staleConntrackEntries(config, this.cluster.pods, desired.slots, await kernel.listConntrack());
      for (const e of stale) await kernel.deleteConntrack(e);
      this.metrics.flushed.inc(stale.length);
      this.firstSyncDone = true;
      log('info', 'first sync done; ready', { table: NODE_NFT_TABLE, flushedConntrack: stale.length });
    }
  }
}
