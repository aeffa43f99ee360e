/** One connection-tracking entry, as `conntrack -L` prints it (original tuple, reply tuple, mark). */
export interface ConntrackEntry {
  readonly protocol: string;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly replySrc: string;
  readonly replyDst: string;
  readonly replyDport?: number;
  readonly mark: number;
  /** TCP state (ESTABLISHED, TIME_WAIT, ...); undefined for other protocols. */
  readonly state?: string;
}

/**
 * Parses `conntrack -L` text. conntrack-tools has no JSON output; the line format is stable:
 * `udp 17 29 src=A dst=B sport=1 dport=2 [UNREPLIED] src=B dst=A sport=2 dport=1 mark=0 use=1`.
 * The first src/dst/sport/dport are the original direction, the second ones the reply.
 */
export function parseConntrackList(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 4 || !/^[a-z]+$/.test(words[0])) continue;
    const first: { [k: string]: string } = {};
    const second: { [k: string]: string } = {};
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq <= 0) continue;
      const k = w.slice(0, eq);
      const v = w.slice(eq + 1);
      if (first[k] === undefined) first[k] = v;
      else if (second[k] === undefined) second[k] = v;
    }
    if (!first.src || !second.src) continue;
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    out.push({
      protocol: words[0],
      src: first.src,
      dst: first.dst,
      sport: num(first.sport),
      dport: num(first.dport),
      replySrc: second.src,
      replyDst: second.dst,
      replyDport: num(second.dport),
      mark: Number(first.mark ?? 0),
      state: words[0] === 'tcp' && /^[A-Z_]+$/.test(words[3]) ? words[3] : undefined,
    });
  }
  return out;
}
