// Prefix masks are bit fields.
/* eslint-disable no-bitwise */
import { portClassChain, portClassOf } from './port-class';
import { AllowEntryConfig, ZoneConfig } from '../../datapath';
import { NftSet } from '../shared/nft-table-swap';
import { isIpv6 } from '../shared/tunnel-ipv6';

/**
 * A zone's allow-list as the gateway's kernel holds it: one hash map per prefix length
 * (`z<id>_l24`: network address → `jump` to the chain of the prefix's port class, port-class.ts),
 * and per packet one lookup per length present (`ip daddr & <mask> vmap @z<id>_l24`), longest first.
 * A destination matched by several prefixes is checked against each one's class (a class chain that
 * does not accept returns), so the zone allows the union, as before.
 *
 * Why hash maps and not one interval set (BENCHMARKS.md "Allow-list set layouts"): a hash map has no
 * commit step and no per-element cost that depends on the set's size or history, so a -100/+100 change
 * is 200 element operations in place, in one transaction, at the same cost after any number of changes.
 * An interval set does not allow that: pipapo (concatenations) rebuilds rule bounds on every delete and
 * clones its lookup tables on every commit; the rbtree makes nft 1.0.6 read and re-merge the whole set
 * in user space. Rebuilt beside the running one instead, they cost a table load per change.
 */
export interface AllowListMaps {
  /** The maps by name, prefix length longest first; elements `a.b.c.d : jump <class chain>`. */
  readonly maps: ReadonlyMap<string, NftSet>;
  /** The class chains: name → rules. */
  readonly classes: ReadonlyMap<string, string[]>;
  /** The zone chain's lookups: one rule per map (and a jump for 0.0.0.0/0 or ::/0), in order. */
  lookups(ref: (set: string) => string): string[];
}

const ALLOW_MAP_TYPE = 'ipv4_addr : verdict';
const ALLOW_MAP_TYPE6 = 'ipv6_addr : verdict';

/**
 * The zone's IPv4 entries (`family` 'ip', maps `z<id>_l<len>`) or its IPv6 ones ('ip6', maps `z<id>_l6_<len>`,
 * gateway-ruleset-ipv6.ts). A rule matching `ip daddr` never matches an IPv6 packet nor `ip6 daddr` an IPv4
 * one; the jump for 0.0.0.0/0 or ::/0 names its family, or it would open the zone to the other one too.
 */
export function allowListMaps(zone: ZoneConfig, allowedCounter: string, family: 'ip' | 'ip6' = 'ip'): AllowListMaps {
  const byCidr = new Map<string, AllowEntryConfig[]>();
  for (const a of zone.allow.filter((x) => isIpv6(x.cidr) === (family === 'ip6'))) byCidr.get(a.cidr)?.push(a) ?? byCidr.set(a.cidr, [a]);
  const classes = new Map<string, string[]>();
  const keyOf = new Map<string, string>();
  const byLength = new Map<number, string[]>();
  const everywhere: string[] = [];
  // Most prefixes share a few port specs: each distinct spec is turned into a class (and hashed) once.
  const bySpec = new Map<string, { key: string; chain: string }>();
  for (const [cidr, entries] of byCidr) {
    const spec = entries.map((e) => `${e.protocol}:${e.ports.join(',')}`).sort().join(' ');
    let known = bySpec.get(spec);
    if (!known) {
      const c = portClassOf(entries, family);
      known = { key: c.key, chain: portClassChain(zone.id, c) };
      bySpec.set(spec, known);
      if (keyOf.has(known.chain) && keyOf.get(known.chain) !== c.key) throw new Error(`port classes "${c.key}" and "${keyOf.get(known.chain)}" of zone ${zone.name} share the chain name ${known.chain}`);
      keyOf.set(known.chain, c.key);
      classes.set(known.chain, c.rules(allowedCounter));
    }
    const chain = known.chain;
    const [address, len] = cidr.split('/');
    if (Number(len) === 0) everywhere.push(chain);
    else byLength.get(Number(len))?.push(`${address} : jump ${chain}`) ?? byLength.set(Number(len), [`${address} : jump ${chain}`]);
  }
  const lengths = [...byLength.keys()].sort((a, b) => b - a);
  const mapName = (len: number) => (family === 'ip' ? `z${zone.id}_l${len}` : `z${zone.id}_l6_${len}`);
  const type = family === 'ip' ? ALLOW_MAP_TYPE : ALLOW_MAP_TYPE6;
  const maps = new Map<string, NftSet>(lengths.map((len) => [mapName(len), { type, interval: false, elements: byLength.get(len)! }]));
  const full = family === 'ip' ? 32 : 128;
  return {
    maps,
    classes,
    lookups: (ref) => [
      ...everywhere.map((chain) => `meta nfproto ${family === 'ip' ? 'ipv4' : 'ipv6'} jump ${chain}`),
      ...lengths.map((len) => `${family} daddr${len === full ? '' : ` & ${family === 'ip' ? maskOf(len) : maskOf6(len)}`} vmap ${ref(mapName(len))}`),
    ],
  };
}

function maskOf(len: number): string {
  const m = (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}

/** `ffff:ffff:ffff:ffff::` for 64: the leading groups, then `::` for the zero ones (none left: no `::`). */
function maskOf6(len: number): string {
  const groups: string[] = [];
  for (let bits = len; bits > 0; bits -= 16) groups.push(((0xffff << (16 - Math.min(bits, 16))) & 0xffff).toString(16));
  return groups.length === 8 ? groups.join(':') : `${groups.join(':')}::`;
}
