import { EgressValidationError } from './errors';

/**
 * An IP protocol, spelled exactly as Calico spells it ("TCP", "UDP", "SCTP", "UDPLite", "ICMP", "ICMPv6"),
 * or a protocol number 1-255 for anything else.
 *
 * Value object: compare with `equals`, identity is `toString()`.
 */
export class Protocol {
  /** Transmission Control Protocol (6). */
  public static readonly TCP = new Protocol('TCP', 6);
  /** User Datagram Protocol (17). */
  public static readonly UDP = new Protocol('UDP', 17);
  /** Stream Control Transmission Protocol (132). */
  public static readonly SCTP = new Protocol('SCTP', 132);
  /** UDP-Lite (136). Calico matches it, but not its ports. */
  public static readonly UDPLITE = new Protocol('UDPLite', 136);
  /** ICMP for IPv4 (1). */
  public static readonly ICMP = new Protocol('ICMP', 1);
  /** ICMP for IPv6 (58). */
  public static readonly ICMPV6 = new Protocol('ICMPv6', 58);

  /** A protocol by number (1-255); the named instance when Calico has a name for it. */
  public static of(protocolNumber: number): Protocol {
    if (!Number.isInteger(protocolNumber) || protocolNumber < 1 || protocolNumber > 255) {
      throw EgressValidationError.inFactory('Protocol.of()', 'protocol', String(protocolNumber), 'is not a protocol number (1-255)', 'IANA protocol numbers; Protocol.TCP, Protocol.UDP, ... for the named ones');
    }
    return Protocol.NAMED.find(p => p.number === protocolNumber) ?? new Protocol(String(protocolNumber), protocolNumber);
  }

  /**
   * Parses a Calico protocol: one of Calico's names (case-sensitive, as Calico's validator is), or a number 1-255.
   */
  public static parse(text: string): Protocol {
    const named = Protocol.NAMED.find(p => p.name === text);
    if (named) return named;
    if (/^[0-9]+$/.test(text)) return Protocol.of(Number(text));
    const caseInsensitive = Protocol.NAMED.find(p => p.name.toLowerCase() === text.toLowerCase());
    throw EgressValidationError.inFactory('Protocol.parse()', 'protocol', text, 'is not a Calico protocol (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255)',
      caseInsensitive ? `Calico spells it "${caseInsensitive.name}"` : 'a protocol number 1-255 for any other protocol');
  }

  private static get NAMED(): Protocol[] {
    return [Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.UDPLITE, Protocol.ICMP, Protocol.ICMPV6];
  }

  /** The protocol as Calico spells it (a name, or the number as a string). */
  public readonly name: string;
  /** The IP protocol number. */
  public readonly number: number;

  private constructor(name: string, protocolNumber: number) {
    this.name = name;
    this.number = protocolNumber;
  }

  /** Whether Calico lets rules of this protocol match ports (TCP, UDP and SCTP only). */
  public get supportsPorts(): boolean {
    return this.number === 6 || this.number === 17 || this.number === 132;
  }

  /** Whether this is ICMP or ICMPv6 (rules may then match ICMP type and code). */
  public get isIcmp(): boolean {
    return this.number === 1 || this.number === 58;
  }

  /** The IP family an ICMP protocol belongs to (4 or 6); 0 for protocols of both families. */
  public get ipVersion(): number {
    if (this.number === 1) return 4;
    if (this.number === 58) return 6;
    return 0;
  }

  /** Whether both are the same protocol. */
  public sameAs(other: Protocol): boolean {
    return this.number === other.number;
  }

  /** The protocol as Calico spells it. */
  public toString(): string {
    return this.name;
  }
}
