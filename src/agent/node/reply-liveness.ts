import { log } from '../shared/log';

/** The reply-liveness table (inet family): counters only, it never changes a verdict. */
export const LIVENESS_NFT_TABLE = 'cdk8s_egress_liveness';

export type RunCommand = (argv: string[], stdin?: string) => Promise<string>;

/** One replica's reply tunnel as the node sees it: the replica's pod address and the gateway's VXLAN port. */
export interface ReplyTunnelTarget { readonly ip: string; readonly port: number }

/** The family a counter counts (the inner packet's EtherType): each prober proves its own family. */
export type ReplyFamily = 4 | 6;

/** One reading of every counter, and when it started (packets counted before that instant are in it). */
interface Reading { readonly at: number; readonly packets: ReadonlyMap<string, number> }

/** The counter's name for a replica and family (nft object names: letters, digits, underscores). */
export function livenessCounterName(ip: string, family: ReplyFamily): string {
  return `r${family}_${ip.replace(/[^0-9a-zA-Z]/g, '_')}`;
}

/**
 * The table: a counter per replica and family on the replies' way back (reply-decap.ts). Each counts the VXLAN
 * datagrams the replica sends to this node (outer source: the replica's pod address, destination port: the
 * gateway's vxlanPort), split by the inner frame's EtherType (@ih,160,16: past the 8-byte VXLAN header and the
 * inner Ethernet addresses). Prerouting at raw priority: counted as they arrive, before anyone's filter.
 */
export function livenessRuleset(targets: ReplyTunnelTarget[]): string {
  const L = [`table inet ${LIVENESS_NFT_TABLE} {`];
  const rules: string[] = [];
  for (const t of targets) {
    for (const [family, type] of [[4, '0x0800'], [6, '0x86dd']] as const) {
      const name = livenessCounterName(t.ip, family);
      L.push(`  counter ${name} {`, '  }');
      rules.push(`    ip saddr ${t.ip} udp dport ${t.port} @ih,160,16 ${type} counter name "${name}"`);
    }
  }
  // Every other packet of the node costs one lookup: only the gateways' VXLAN ports go on to the per-replica rules.
  const ports = [...new Set(targets.map((t) => t.port))].sort((a, b) => a - b);
  L.push('  chain replies {', ...rules, '  }');
  L.push('  chain prerouting {', '    type filter hook prerouting priority raw - 10; policy accept;');
  if (ports.length) L.push(`    udp dport { ${ports.join(', ')} } jump replies`);
  L.push('  }', '}');
  return L.join('\n') + '\n';
}

/**
 * Proof of life from a replica's own traffic (issue 22): a replica whose replies keep arriving through its tunnel is
 * forwarding, even when the probe answers queue behind bulk traffic for longer than the silence window (8 saturating
 * TCP streams did that: live replicas were declared dead and their connections reset). The probers ask only when an
 * answer is overdue, so a quiet data path costs no `nft` run at all. Readings are shared: every replica overdue at
 * about the same time is answered by one `nft` run.
 */
export class ReplyLiveness {
  private applied = '';
  private pending?: Promise<Reading | undefined>;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly run: RunCommand) {}

  /** Rebuilds the table when the replicas change (its counters start from zero, which proves nothing). */
  public setTargets(targets: ReplyTunnelTarget[]): void {
    const uniq = [...new Map(targets.map((t) => [`${t.ip}|${t.port}`, t])).values()].sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port);
    const text = livenessRuleset(uniq);
    if (text === this.applied) return;
    this.applied = text;
    const batch = `table inet ${LIVENESS_NFT_TABLE} {}\ndelete table inet ${LIVENESS_NFT_TABLE}\n${text}`;
    this.applying = this.applying.then(() => this.run(['nft', '-f', '-'], batch).then(() => undefined)).catch((e) => {
      this.applied = ''; // retried on the next change
      log('warn', 'reply liveness table not applied: probes alone decide', { error: (e as Error).message });
    });
  }

  /** A reading started now, or the one in flight (started earlier: conservative for the proof). */
  public read(): Promise<Reading | undefined> {
    if (this.pending) return this.pending;
    const at = Date.now();
    const p = this.applying.then(() => this.run(['nft', '-j', 'list', 'counters', 'table', 'inet', LIVENESS_NFT_TABLE]))
      .then((out) => ({ at, packets: parseCounters(out) }))
      .catch((e) => {
        log('warn', 'reply liveness not read: probes alone decide', { error: (e as Error).message });
        return undefined;
      })
      .finally(() => { if (this.pending === p) this.pending = undefined; });
    this.pending = p;
    return p;
  }

  public stop(): void {
    if (!this.applied) return;
    this.applied = '';
    this.run(['nft', 'delete', 'table', 'inet', LIVENESS_NFT_TABLE]).catch(() => undefined);
  }
}

/** Packets per counter name from `nft -j list counters`. */
export function parseCounters(json: string): Map<string, number> {
  const out = new Map<string, number>();
  const doc = JSON.parse(json) as { nftables?: Array<{ counter?: { name: string; packets: number } }> };
  for (const o of doc.nftables ?? []) if (o.counter) out.set(o.counter.name, o.counter.packets);
  return out;
}

/**
 * One replica's (and family's) signs of life between readings: growth of its counter between two readings proves a
 * reply arrived after the earlier one began, so that instant (not the later one) is the proof. The earlier instant
 * keeps a real death's verdict where the probes alone would put it: the last reading before the death is at most one
 * reading period before it.
 */
export class ReplyLifeSigns {
  private last?: { at: number; packets: number };

  constructor(private readonly liveness: ReplyLiveness, private readonly counter: string) {}

  /** Takes a reading; resolves the instant this replica last proved it forwards (0: no proof in this reading). */
  public async sample(): Promise<number> {
    const r = await this.liveness.read();
    const packets = r?.packets.get(this.counter);
    if (!r || packets === undefined) return 0;
    const prev = this.last;
    if (!prev || r.at > prev.at) this.last = { at: r.at, packets };
    // A counter that went down was rebuilt: a new baseline, no proof.
    return prev && r.at > prev.at && packets > prev.packets ? prev.at : 0;
  }
}
