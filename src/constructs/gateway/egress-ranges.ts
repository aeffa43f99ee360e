import { EgressGatewayProps } from './egress-gateway-props';
import { Cidr, IpFamily } from '../../model/cidr';
import { CidrAggregator } from '../../model/cidr-aggregation';
import { EgressValidationError, locate } from '../../model/errors';

/** Most addresses a gateway range of one family may have: the model lists each egress address for firewall exports. */
export const MAX_EGRESS_ADDRESSES = 256;

/** One family's egress range of a gateway: its pools and their addresses, in order. */
export interface EgressRange {
  readonly family: IpFamily;
  /** The pools (one range, or the aggregated egress IPs). */
  readonly pools: Cidr[];
  readonly addresses: string[];
  /** The prop the range came from, for errors ("egressCidr", "ipv6EgressIps", ...). */
  readonly field: string;
}

/** The props of each family's range: IPv4 in egressCidr/egressIps, IPv6 in ipv6EgressCidr/ipv6EgressIps. */
const FIELDS = {
  [IpFamily.IPV4]: { cidr: 'egressCidr', ips: 'egressIps', other: 'ipv6EgressCidr', host: 32 },
  [IpFamily.IPV6]: { cidr: 'ipv6EgressCidr', ips: 'ipv6EgressIps', other: 'egressCidr', host: 128 },
} as const;

/**
 * The gateway's egress ranges, IPv4 first: each family given by a range or by single addresses (not both), at least
 * one family, at most MAX_EGRESS_ADDRESSES addresses each (counted before listing: a /8 by mistake would list 16
 * million addresses first).
 */
export function egressRanges(props: EgressGatewayProps, path: string): EgressRange[] {
  const ranges = [IpFamily.IPV4, IpFamily.IPV6].map(f => familyRange(f, props, path)).filter((r): r is EgressRange => r !== undefined);
  if (ranges.length === 0) {
    throw new EgressValidationError('egressCidr', '', 'and ipv6EgressCidr are both missing: a gateway needs an egress range', path,
      'give egressCidr (IPv4) or egressIps, ipv6EgressCidr (IPv6) or ipv6EgressIps, or one of each for dual-stack zones');
  }
  return ranges;
}

function familyRange(family: IpFamily, props: EgressGatewayProps, path: string): EgressRange | undefined {
  const f = FIELDS[family];
  const cidrText = props[f.cidr];
  const ips = props[f.ips];
  if (cidrText === undefined && ips === undefined) return undefined;
  if (cidrText !== undefined && ips !== undefined) {
    throw new EgressValidationError(f.cidr, cidrText, `and ${f.ips}: give one of them, not both`, path, `${f.cidr} for a range, ${f.ips} for scattered addresses`);
  }
  const ofFamily = (field: string, c: Cidr, text: string) => {
    if (c.family !== family) {
      throw new EgressValidationError(field, text, `is ${c.family}, but ${field.replace(/\[\d+\]$/, '')} takes ${family} addresses`, path,
        `put ${c.family} egress addresses in ${family === IpFamily.IPV4 ? 'ipv6EgressCidr or ipv6EgressIps' : 'egressCidr or egressIps'}`);
    }
    return c;
  };
  let pools: Cidr[];
  let field: string;
  if (cidrText !== undefined) {
    field = f.cidr;
    pools = [ofFamily(field, locate(path, field, () => Cidr.parse(cidrText)), cidrText)];
  } else {
    field = f.ips;
    if (ips!.length === 0) throw new EgressValidationError(field, '[]', 'is empty: give at least one egress IP, or leave the field out', path);
    const singles = ips!.map((ip, i) => {
      const c = ofFamily(`${field}[${i}]`, locate(path, `${field}[${i}]`, () => Cidr.parse(ip)), ip);
      if (c.prefixLength !== f.host) throw new EgressValidationError(`${field}[${i}]`, ip, 'is not a single address', path, `use ${f.cidr} for a range`);
      return c.toString();
    });
    pools = CidrAggregator.merge(singles).map(c => Cidr.parse(c));
  }
  const count = pools.reduce((n, c) => n + c.addressCount, 0);
  if (count > MAX_EGRESS_ADDRESSES) {
    throw new EgressValidationError(field, cidrText ?? ips!.join(','), `has ${count > 2 ** 53 ? pools.map(p => p.addressCountString).join(' + ') : count} addresses; a gateway range has at most ${MAX_EGRESS_ADDRESSES} per family`, path,
      `a /${f.host - 8} or a longer prefix`);
  }
  const addresses = pools.flatMap(c => Array.from({ length: c.addressCount }, (_, i) => c.nthAddress(i)));
  return { family, pools, addresses, field };
}

/** Calico's block sizes: IPv4 pools 20-32, IPv6 pools 116-128 (libcalico-go's IPPool validation). */
const BLOCK_SIZES = { [IpFamily.IPV4]: [20, 32], [IpFamily.IPV6]: [116, 128] } as const;

/** The default block size: one block per replica (plus the spare), as large as the range allows. */
export function poolBlockSize(field: string, requested: number | undefined, range: EgressRange, replicas: number, surge: number,
  path: string): number {
  const { pools, family } = range;
  const [min, max] = BLOCK_SIZES[family];
  const smallest = pools.reduce((a, b) => (a.prefixLength > b.prefixLength ? a : b));
  if (requested !== undefined) {
    const b = requested;
    if (!Number.isInteger(b) || b < min || b > max) throw new EgressValidationError(field, String(b), `is outside ${min}-${max}, the block sizes Calico allows for ${family} pools`, path);
    const blocks = pools.reduce((n, c) => n + 2 ** (Math.max(b, c.prefixLength) - c.prefixLength), 0);
    if (blocks < replicas) {
      throw new EgressValidationError(field, String(b), `leaves ${blocks} block(s) for ${replicas} replicas on distinct nodes: each node takes a block of its own`, path,
        `${field} ${Math.min(max, smallest.prefixLength + Math.ceil(Math.log2(replicas)))} or larger`);
    }
    return b;
  }
  const needed = Math.min(range.addresses.length, replicas + surge);
  if (pools.length > 1) return max; // scattered addresses: every address its own block
  return Math.min(max, Math.max(min, smallest.prefixLength + Math.ceil(Math.log2(needed))));
}

/** The smallest prefix covering every pool of one family (the model's egressCidr of a gateway with several pools). */
export function coveringCidr(pools: Cidr[]): Cidr {
  let prefix = Math.min(...pools.map(p => p.prefixLength));
  for (; prefix >= 0; prefix--) {
    const candidate = Cidr.parseLenient(`${pools[0].networkAddress}/${prefix}`);
    if (pools.every(p => candidate.contains(p))) return candidate;
  }
  return Cidr.parse(pools[0].family === IpFamily.IPV4 ? '0.0.0.0/0' : '::/0');
}
