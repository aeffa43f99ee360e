import { log } from '../shared/log';

/** The reply-liveness table (inet family): it only remembers, it never decides a packet's fate. */
const LIVENESS_NFT_TABLE = 'cdk8s_egress_liveness';

/** How long a replica's last reply is remembered: far beyond any silence window (a reading needs the last ms). */
export const LIVENESS_MEMORY_S = 10;

export type RunCommand = (argv: string[], stdin?: string) => Promise<string>;

/** One replica's reply tunnel as the node sees it: the replica's pod address and the gateway's VXLAN port. */
export interface ReplyTunnelTarget { readonly ip: string; readonly port: number }

/** The family of a reply (the inner frame's EtherType): each prober proves its own family. */
export type ReplyFamily = 4 | 6;

/** One reading: when it started, and how long before that each replica's (family's) last reply arrived. */
interface Reading { readonly at: number; readonly agoMs: ReadonlyMap<string, number> }

/** A replica's key in a reading. */
export function livenessKey(ip: string, family: ReplyFamily): string {
  return `${family}|${ip}`;
}

/**
 * The table: per family, a set of the replicas whose replies arrived lately, each element refreshed by every reply
 * (its `expires` says how long ago the last one came, to the millisecond). A reply is a VXLAN datagram a replica
 * sends to this node (outer source: the replica's pod address, destination port: the gateway's vxlanPort; its
 * family the inner frame's EtherType at @ih,160,16: past the 8-byte VXLAN header and the inner Ethernet addresses).
 * Prerouting at raw priority: as they arrive, before anyone's filter.
 */
export function livenessRuleset(targets: ReplyTunnelTarget[]): string {
  const L = [`table inet ${LIVENESS_NFT_TABLE} {`];
  for (const f of [4, 6]) L.push(`  set alive${f} {`, '    type ipv4_addr', '    flags dynamic,timeout', `    timeout ${LIVENESS_MEMORY_S}s`, '  }');
  L.push('  chain prerouting {', '    type filter hook prerouting priority raw - 10; policy accept;');
  if (targets.length) {
    const pairs = targets.map((t) => `${t.ip} . ${t.port}`).join(', ');
    L.push(`    ip saddr . udp dport { ${pairs} } @ih,160,16 0x0800 update @alive4 { ip saddr }`);
    L.push(`    ip saddr . udp dport { ${pairs} } @ih,160,16 0x86dd update @alive6 { ip saddr }`);
  }
  L.push('  }', '}');
  return L.join('\n') + '\n';
}

/**
 * Proof of life from a replica's own traffic (issue 22): a replica whose replies keep arriving through its tunnel is
 * forwarding, even when the probe answers queue behind bulk traffic for longer than the silence window (8 saturating
 * TCP streams did that: live replicas were declared dead and their connections reset). The probers ask only when an
 * answer is overdue, so a quiet data path costs no `nft` run at all; every replica overdue at about the same time is
 * answered by one run.
 */
export class ReplyLiveness {
  private applied = '';
  private pending?: Promise<Reading | undefined>;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly run: RunCommand) {}

  /** Rebuilds the table when the replicas change (what it remembered is lost: that proves nothing, it costs nothing). */
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

  /** When this replica's last reply of this family arrived, as a reading started now (or in flight) says; 0: none. */
  public async lastReplyAt(ip: string, family: ReplyFamily): Promise<number> {
    const r = await this.read();
    const ago = r?.agoMs.get(livenessKey(ip, family));
    // The kernel dumped the set after the reading started: counting from the start puts the reply earlier, never later.
    return r && ago !== undefined ? r.at - ago : 0;
  }

  private read(): Promise<Reading | undefined> {
    // No table (never applied, or it failed: logged once then): nothing to read, the probes alone decide.
    if (!this.applied) return Promise.resolve(undefined);
    if (this.pending) return this.pending;
    const at = Date.now();
    const p = this.applying.then(() => (this.applied ? this.run(['nft', 'list', 'table', 'inet', LIVENESS_NFT_TABLE]) : undefined))
      .then((out) => (out === undefined ? undefined : { at, agoMs: parseLastReplies(out) }))
      .catch((e) => {
        log('warn', 'reply liveness not read: probes alone decide', { error: (e as Error).message });
        return undefined;
      })
      .finally(() => {
        if (this.pending === p) this.pending = undefined;
      });
    this.pending = p;
    return p;
  }
}

/** Milliseconds since each replica's last reply, from `nft list table` (sets alive4/alive6, `expires` per element). */
export function parseLastReplies(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const set of text.matchAll(/set alive([46]) \{([^}]*)\}/g)) {
    const family = Number(set[1]) as ReplyFamily;
    for (const e of set[2].matchAll(/(\d+\.\d+\.\d+\.\d+)(?: timeout \S+)? expires ([0-9dhms]+)/g)) {
      out.set(livenessKey(e[1], family), LIVENESS_MEMORY_S * 1000 - durationMs(e[2]));
    }
  }
  return out;
}

/** nft's durations: 9s856ms, 1m2s, 500ms. */
function durationMs(d: string): number {
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let ms = 0;
  for (const [, n, u] of d.matchAll(/(\d+)(ms|d|h|m|s)/g)) ms += Number(n) * unit[u];
  return ms;
}

/** One replica's (and family's) replies, as its probe deadline asks for them (answer-deadline.ts). */
export class ReplyLifeSigns {
  constructor(private readonly liveness: ReplyLiveness, private readonly ip: string, private readonly family: ReplyFamily) {}

  /** The instant this replica's last reply arrived (0: none remembered). */
  public sample(): Promise<number> {
    return this.liveness.lastReplyAt(this.ip, this.family);
  }
}
