// The agents' own runtime dependencies: installed in the images, never in the construct library.
import { Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { computeGatewayDesired, GatewayDesired, gatewayOwnership } from './gateway-desired-state';
import { registerGatewayMetrics } from './gateway-metrics';
import { GATEWAY_NFT_TABLE } from './gateway-ruleset';
import { applyReplyTunnel } from './reply-tunnel';
import { DataPathConfig, parseDataPathConfig } from '../../datapath';
import { startHealthServer } from '../shared/health-server';
import { Kernel } from '../shared/kernel';
import { log } from '../shared/log';
import { planNetChanges } from '../shared/net-plan';
import { NftTableApplier } from '../shared/nft-table-applier';
import { Reconciler } from '../shared/reconciler';
import { WatchedFile } from '../shared/watched-file';

export interface GatewayAgentOptions {
  readonly configPath: string;
  readonly gateway: string;
  /** This replica's underlay address (the pod IP): where nodes send the tunnels. */
  readonly podIp: string;
  readonly kernel: Kernel;
  readonly healthHost?: string;
  /** Overrides the gateway's configured healthPort (tests run several replicas on one host). */
  readonly healthPort?: number;
}

/**
 * egress-gateway: terminates the zones' VXLAN tunnels, enforces each zone's allow-list, SNATs to
 * the egress IP it holds, serves /healthz, /readyz and /metrics. Ready only once its rules are in
 * place and it holds an egress IP. On SIGTERM it drains: /readyz answers 503 "draining" (nodes stop
 * sending new flows, keep the established ones), and it exits when its flows have ended or the
 * grace period ran out. It never removes its rules on exit.
 */
export class GatewayAgent {
  public readonly registry = new Registry();
  private config: DataPathConfig;
  private desired?: GatewayDesired;
  /** The filtering table, with what the kernel holds as last applied. */
  private readonly table: NftTableApplier;
  /** The reply tunnel's script as last applied (undefined: unknown, apply it). */
  private appliedReply?: string;
  private localAddresses: string[] = [];
  private draining = false;
  private readonly reconciler: Reconciler;
  private configFile?: WatchedFile;
  private addrTimer?: NodeJS.Timeout;
  private health?: Server;

  constructor(private readonly opts: GatewayAgentOptions, initialConfigText: string) {
    this.config = parseDataPathConfig(initialConfigText);
    computeGatewayDesired(this.config, opts.gateway, { podIp: opts.podIp, localAddresses: [] }); // unknown gateway: fail now
    this.table = new NftTableApplier(opts.kernel);
    this.reconciler = new Reconciler((full) => this.sync(full), { minBackoffMs: 100, maxBackoffMs: 5000 });
    collectDefaultMetrics({ register: this.registry });
    registerGatewayMetrics(this.registry, {
      desired: () => this.desired,
      counters: () => opts.kernel.listNftCounters('inet', GATEWAY_NFT_TABLE),
      conntrack: () => opts.kernel.listConntrack(),
    });
  }

  public async start(): Promise<void> {
    const k = this.opts.kernel;
    await k.setSysctl('net.ipv4.ip_forward', '1');
    const gw = this.config.gateways.find((g) => g.name === this.opts.gateway)!;
    this.health = await startHealthServer(this.opts.healthPort ?? gw.healthPort, this.opts.healthHost ?? '0.0.0.0', {
      live: () => true,
      notReadyReason: () => this.notReadyReason(),
    }, this.registry);
    // Egress IPs are placed by someone else (secondary interface, cloud, test harness): poll them.
    const poll = async () => {
      try {
        const now = (await k.localAddresses()).sort();
        if (JSON.stringify(now) !== JSON.stringify(this.localAddresses)) {
          this.localAddresses = now;
          this.reconciler.trigger();
        }
      } catch (e) {
        log('warn', 'listing addresses failed', { error: (e as Error).message });
      }
      this.addrTimer = setTimeout(poll, 500);
    };
    await poll();
    this.configFile = new WatchedFile(this.opts.configPath, (text) => this.onConfigText(text));
    this.configFile.check();
    this.reconciler.trigger();
  }

  /** Stops taking new flows; resolves when the established ones ended or the grace period ran out. */
  public async drain(): Promise<void> {
    this.draining = true;
    const gw = this.config.gateways.find((g) => g.name === this.opts.gateway)!;
    const deadline = Date.now() + gw.drainGraceSeconds * 1000;
    log('info', 'draining', { graceSeconds: gw.drainGraceSeconds });
    while (Date.now() < deadline) {
      const zoneIds = new Set(this.desired?.zones.map((z) => z.id));
      const active = (await this.opts.kernel.listConntrack()).filter((e) => zoneIds.has(e.mark) && (e.protocol !== 'tcp' || isOpenTcp(e.state)));
      if (active.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    log('info', 'drained');
  }

  public stop(): void {
    this.reconciler.stop();
    clearTimeout(this.addrTimer);
    this.configFile?.close();
    this.health?.close();
  }

  private notReadyReason(): string | undefined {
    if (this.draining) return 'draining';
    if (!this.desired) return 'not synced';
    // Ready while it holds an egress IP of either family: the nodes' probes decide each family's health.
    if (!this.desired.egressIp && !this.desired.egressIp6) return `holds none of the egress IPs ${this.desired.gateway.egressIps.join(', ')}`;
    return undefined;
  }

  private onConfigText(text: string): void {
    try {
      const next = parseDataPathConfig(text);
      if (!next.gateways.some((g) => g.name === this.opts.gateway)) {
        throw new Error(`unknown gateway "${this.opts.gateway}" (configured: ${next.gateways.map((g) => g.name).join(', ') || 'none'})`);
      }
      this.config = next;
      this.reconciler.trigger();
    } catch (e) {
      log('error', 'configuration rejected; the running rules are kept', { path: this.opts.configPath, error: (e as Error).message });
    }
  }

  private async sync(full: boolean): Promise<void> {
    const k = this.opts.kernel;
    const desired = computeGatewayDesired(this.config, this.opts.gateway, { podIp: this.opts.podIp, localAddresses: this.localAddresses });
    const current = await k.readNet(gatewayOwnership(this.config));
    const { add, remove } = planNetChanges(current, desired.net);
    await this.applyRuleset(desired, full);
    // The tunnel devices only after the filtering ruleset: a fresh pod forwards (ip_forward=1), so a
    // device up before the table would forward decapsulated packets unfiltered and un-SNATed.
    await k.applyNet(add);
    // Kernel quirk: reverse-path filtering (strict *or* loose) rejects every packet arriving on a
    // device without an IPv4 address (fib_validate_source → "no_addr" → e_rpf), and the tunnel
    // devices have none; the kernel applies max(all, device). The pod's namespace is ours alone.
    // New devices take conf.default, so with pod sysctls all=0 and default=0 nothing here needs writing.
    await k.setSysctl('net.ipv4.conf.all.rp_filter', '0');
    if (desired.ipv6) {
      await k.setSysctl('net.ipv6.conf.all.forwarding', '1');
      if (this.desired?.egressIp6 !== desired.egressIp6) log('info', 'IPv6 egress IP held', { egressIp6: desired.egressIp6 ?? null });
    }
    for (const l of desired.net.links) await k.setSysctl(`net.ipv4.conf.${l.name}.rp_filter`, '0');
    // After the ruleset: the tunnels' traffic is filtered and SNATed before any of this can fail.
    if (full || this.appliedReply !== desired.reply.nft) {
      this.appliedReply = undefined;
      await applyReplyTunnel(k, desired.reply);
      this.appliedReply = desired.reply.nft;
    }
    await k.applyNet(remove);
    if (!this.desired || this.desired.egressIp !== desired.egressIp) log('info', 'applied', { egressIp: desired.egressIp ?? null, zones: desired.zones.map((z) => z.name) });
    this.desired = desired;
  }

  /**
   * The filtering + SNAT table (nft-table-swap.ts): rebuilt interval sets filled beside the running ones,
   * then one transaction switching the chains to them and editing the allow-list maps in place.
   */
  private async applyRuleset(desired: GatewayDesired, full: boolean): Promise<void> {
    const swap = await this.table.apply(desired.ruleset, full);
    if (!swap) return;
    log('info', 'table updated', {
      sets: [...swap.edited, ...swap.staged],
      added: swap.added,
      removed: swap.removed,
      stageMs: swap.stageMs,
      swapMs: swap.swapMs,
      rebuilt: swap.staged,
    });
  }
}

function isOpenTcp(state: string | undefined): boolean {
  return state === undefined || !['TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'FIN_WAIT'].includes(state);
}
