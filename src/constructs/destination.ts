import { DestinationSet } from './destination-set';

/**
 * Where an AllowExternal rule may go: addresses, domain names, or a shared {@link DestinationSet}.
 * Plain value object: it needs no scope; the rule turns inline addresses into its own set.
 */
export class Destination {
  /** One address or CIDR. */
  public static cidr(cidr: string, description?: string): Destination {
    return new Destination([{ cidr, description }], [], undefined);
  }

  /** Several addresses or CIDRs sharing one description. */
  public static cidrs(cidrs: string[], description?: string): Destination {
    return new Destination(cidrs.map(cidr => ({ cidr, description })), [], undefined);
  }

  /** A domain name (exact or "*.example.com"); only for backends that match on names. */
  public static domain(domain: string): Destination {
    return new Destination([], [domain], undefined);
  }

  /** Several domain names. */
  public static domains(domains: string[]): Destination {
    return new Destination([], [...domains], undefined);
  }

  /** A shared, named destination set. */
  public static set(set: DestinationSet): Destination {
    return new Destination([], [], set);
  }

  /** @internal */
  public readonly _cidrs: { cidr: string; description?: string }[];
  /** @internal */
  public readonly _domains: string[];
  /** @internal */
  public readonly _set?: DestinationSet;

  private constructor(cidrs: { cidr: string; description?: string }[], domains: string[], set?: DestinationSet) {
    this._cidrs = cidrs;
    this._domains = domains;
    this._set = set;
  }
}
