import { Cidr } from '../../model/cidr';
import { parseCidrTextDetailed } from '../../model/ip-cidr-parser';
import { IpFamily } from '../../model/ip-family';

/** A CIDR or bare IP as Calico's ParseCIDROrIP reads it (a bare IP is a /32 or /128). */
export interface CidrText {
  /** 4 or 6. */
  readonly version: number;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Whether no host bits are set (Calico's "strictly masked"). */
  readonly masked: boolean;
  /** The network, host bits cleared. */
  readonly network: Cidr;
}

/**
 * Reads `text` as Go's net.ParseCIDR (or ParseIP) would — through the model's `Cidr`, which follows Go's
 * rules — and says whether host bits are set (network sets allow them, pools and rule nets do not).
 * Undefined when Calico would reject the text.
 */
export function parseCidrText(text: string): CidrText | undefined {
  if (typeof text !== 'string') return undefined;
  let parsed: { cidr: Cidr; hostBits: boolean };
  try {
    parsed = Cidr._parseWithHostBits(text);
  } catch {
    return undefined;
  }
  return {
    version: parsed.cidr.family === IpFamily.IPV4 ? 4 : 6,
    prefixLength: parsed.cidr.prefixLength,
    masked: !parsed.hostBits,
    network: parsed.cidr,
  };
}

/**
 * The IP version of `text` and whether it is strictly masked, as parseCidrText reads it but without building
 * the network (what a rule's nets need); undefined when Calico would reject the text.
 */
export function cidrTextShape(text: string): { version: number; masked: boolean } | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const { network, hostBits } = parseCidrTextDetailed(text);
    return { version: network.family === IpFamily.IPV4 ? 4 : 6, masked: !hostBits };
  } catch {
    return undefined;
  }
}

/** Whether two CIDRs of the same family share any address. */
export function cidrsOverlap(a: CidrText, b: CidrText): boolean {
  return a.network.overlaps(b.network);
}
