import { DataPathConfig, domainMatches, DomainEnforcementConfig } from '../../datapath';

/** One element to put in a learned set: the address and how long it stays (nft element timeout). */
export interface LearnedElement { readonly set: string; readonly ip: string; readonly timeoutSeconds: number }

/** The learned-set names of one rule: IPv4 and IPv6 (zone id from $.zones, rule index in the zone's domain rules). */
export function learnedSetNames(zoneId: number, rule: number): { v4: string; v6: string } {
  return { v4: `d4_${zoneId}_${rule}`, v6: `d6_${zoneId}_${rule}` };
}

/** Grace after the hold: a connection opened in the answer's last second still finds its address. */
const GRACE_SECONDS = 5;

/**
 * What the node agent has learned from DNS answers, per zone and rule, with deadlines: the single source the
 * table is rendered from (restarts seed it from the kernel). Caps per name and per zone bound it; over a cap
 * an answer's extra addresses are left out and counted (`capHits`).
 */
export class LearnedSets {
  public capHits = 0;
  /** set name → address → deadline (ms since epoch). */
  private readonly sets = new Map<string, Map<string, number>>();
  /** zone id → entries in its sets (live, or expired and not yet dropped). */
  private readonly entries = new Map<number, number>();
  /** zone id → when its expired entries were last dropped. */
  private readonly dropped = new Map<number, number>();

  constructor(private readonly config: DataPathConfig, private readonly now: () => number = Date.now) {}

  private get domains(): DomainEnforcementConfig {
    return this.config.domains!;
  }

  /**
   * The elements an answer adds for a zone: every address of the chain, for every rule with a pattern that a
   * name of the chain matches. Addresses already held long enough are not re-added (no kernel work).
   */
  public learn(zone: string, names: string[], addresses: Array<{ ip: string; ttl: number }>): LearnedElement[] {
    return this.learnAnswer(zone, names, addresses).add;
  }

  /**
   * `learn`, and also every element the answer relies on (`covered`: added now or already held, as `set ip`): an
   * element that another answer's transaction is still programming must hold this answer too.
   */
  public learnAnswer(zone: string, names: string[], addresses: Array<{ ip: string; ttl: number }>): { add: LearnedElement[]; covered: string[] } {
    const z = this.domains.zones.find((x) => x.zone === zone);
    const zoneId = this.config.zones.find((x) => x.name === zone)?.id;
    const covered: string[] = [];
    if (!z || zoneId === undefined || addresses.length === 0) return { add: [], covered };
    const d = this.domains;
    const now = this.now();
    const out: LearnedElement[] = [];
    let capped = addresses.length > d.maxAddressesPerName;
    const kept = addresses.slice(0, d.maxAddressesPerName);
    // The zone's entries, expired ones not yet dropped included: an upper bound of its live addresses, kept up to
    // date, so no answer scans the zone's sets. Only at the cap are the expired ones dropped (at most once a second).
    let zoneLive = this.entries.get(zoneId) ?? 0;
    if (zoneLive >= d.maxAddressesPerZone) zoneLive = this.dropExpired(zoneId, now);
    z.rules.forEach((rule, i) => {
      if (!names.some((n) => rule.patterns.some((p) => domainMatches(p, n)))) return;
      const names2 = learnedSetNames(zoneId, i);
      for (const a of kept) {
        const set = a.ip.includes(':') ? names2.v6 : names2.v4;
        const timeoutSeconds = Math.min(Math.max(a.ttl, d.minTtlSeconds), d.maxTtlSeconds) + GRACE_SECONDS;
        const members = this.sets.get(set) ?? new Map<string, number>();
        const held = members.get(a.ip);
        if (held !== undefined && held - now >= (timeoutSeconds * 1000) / 2) {
          covered.push(`${set} ${a.ip}`);
          continue;
        }
        if (held === undefined && zoneLive >= d.maxAddressesPerZone) {
          capped = true;
          continue;
        }
        covered.push(`${set} ${a.ip}`);
        if (held === undefined) {
          zoneLive++;
          this.entries.set(zoneId, (this.entries.get(zoneId) ?? 0) + 1);
        }
        members.set(a.ip, now + timeoutSeconds * 1000);
        this.sets.set(set, members);
        out.push({ set, ip: a.ip, timeoutSeconds });
      }
    });
    if (capped) this.capHits++;
    return { add: out, covered };
  }

  /**
   * Elements whose transaction failed: forgotten, so the next answer programs them again. An address that was
   * held before the failed refresh is left out of the table until then (closed, never open).
   */
  public forget(elements: LearnedElement[]): void {
    for (const e of elements) if (this.sets.get(e.set)?.delete(e.ip)) this.counted(e.set, -1);
  }

  /** Live elements with their remaining seconds (at least 1), for rendering the table. */
  public live(): LearnedElement[] {
    const now = this.now();
    const out: LearnedElement[] = [];
    for (const [set, members] of this.sets) {
      for (const [ip, deadline] of members) {
        if (deadline <= now) {
          members.delete(ip);
          this.counted(set, -1);
        } else {
          out.push({ set, ip, timeoutSeconds: Math.max(1, Math.ceil((deadline - now) / 1000)) });
        }
      }
    }
    return out;
  }

  /** Elements the kernel still holds (after a restart): kept with their remaining time. */
  public seed(elements: LearnedElement[]): void {
    const now = this.now();
    for (const e of elements) {
      const members = this.sets.get(e.set) ?? new Map<string, number>();
      if (!members.has(e.ip)) this.counted(e.set, 1);
      members.set(e.ip, Math.max(members.get(e.ip) ?? 0, now + e.timeoutSeconds * 1000));
      this.sets.set(e.set, members);
    }
  }

  /** Drops the zone's expired entries (at most once a second per zone) and returns its entry count. */
  private dropExpired(zoneId: number, now: number): number {
    if (now - (this.dropped.get(zoneId) ?? -Infinity) >= 1000) {
      this.dropped.set(zoneId, now);
      for (const [set, members] of this.sets) {
        if (zoneOf(set) !== zoneId) continue;
        for (const [ip, deadline] of members) if (deadline <= now && members.delete(ip)) this.counted(set, -1);
      }
    }
    return this.entries.get(zoneId) ?? 0;
  }

  private counted(set: string, delta: number): void {
    const zoneId = zoneOf(set);
    this.entries.set(zoneId, (this.entries.get(zoneId) ?? 0) + delta);
  }
}

/** The zone id in a learned set's name (`d4_<zone>_<rule>`). */
function zoneOf(set: string): number {
  return Number(set.split('_')[1]);
}
