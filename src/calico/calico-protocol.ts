import { EgressValidationError } from '../model/errors';

/** Calico's protocol names, spelled as Calico spells them (numorstring.Protocol). */
const NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'];
/** Protocol numbers that carry ports: TCP, UDP, SCTP. */
const PORT_NUMBERS = [6, 17, 132];

/**
 * An IP protocol as a Calico rule's `protocol` or `notProtocol`: one of Calico's names
 * ("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite") or a protocol number 1-255.
 */
export class CalicoProtocol {
  /** TCP. */
  public static readonly TCP = new CalicoProtocol('TCP', undefined);
  /** UDP. */
  public static readonly UDP = new CalicoProtocol('UDP', undefined);
  /** ICMP (IPv4 only). */
  public static readonly ICMP = new CalicoProtocol('ICMP', undefined);
  /** ICMPv6 (IPv6 only). */
  public static readonly ICMPV6 = new CalicoProtocol('ICMPv6', undefined);
  /** SCTP. */
  public static readonly SCTP = new CalicoProtocol('SCTP', undefined);
  /** UDP-Lite. */
  public static readonly UDPLITE = new CalicoProtocol('UDPLite', undefined);

  /**
   * A protocol by number, rendered as that number.
   * @param num an integer 1-255 (0 is not a protocol Calico accepts)
   */
  public static of(num: number): CalicoProtocol {
    if (!Number.isInteger(num) || num < 1 || num > 255) {
      throw EgressValidationError.inFactory('CalicoProtocol.of()', 'protocol', num, 'is not a protocol number Calico accepts (an integer 1-255)', 'CalicoProtocol.TCP, CalicoProtocol.UDP, ... for the named ones');
    }
    return new CalicoProtocol(undefined, num);
  }

  /**
   * Parses a protocol name (any letter case, as Calico does: "tcp" is "TCP") or a number ("6").
   */
  public static parse(text: string): CalicoProtocol {
    const trimmed = String(text).trim();
    if (/^\d+$/.test(trimmed)) return CalicoProtocol.of(Number(trimmed));
    const name = NAMES.find(n => n.toLowerCase() === trimmed.toLowerCase());
    if (!name) {
      throw EgressValidationError.inFactory('CalicoProtocol.parse()', 'protocol', text, `is not a protocol Calico accepts (one of ${NAMES.join(', ')} or a number 1-255)`, 'a protocol number 1-255 for any other protocol');
    }
    return CalicoProtocol.byName(name);
  }

  private static byName(name: string): CalicoProtocol {
    return [CalicoProtocol.TCP, CalicoProtocol.UDP, CalicoProtocol.ICMP, CalicoProtocol.ICMPV6, CalicoProtocol.SCTP, CalicoProtocol.UDPLITE]
      .find(p => p.name === name)!;
  }

  /** Calico's name of the protocol, when given by name. */
  public readonly name?: string;
  /** The protocol number, when given by number. */
  public readonly protocolNumber?: number;

  private constructor(name: string | undefined, num: number | undefined) {
    this.name = name;
    this.protocolNumber = num;
  }

  /** Whether rules with this protocol may match ports (TCP, UDP, SCTP or their numbers 6, 17, 132). */
  public get supportsPorts(): boolean {
    return this.protocolNumber !== undefined ? PORT_NUMBERS.includes(this.protocolNumber) : ['TCP', 'UDP', 'SCTP'].includes(this.name!);
  }

  /**
   * The IP version this protocol implies: 4 for ICMP (or 1), 6 for ICMPv6 (or 58), 0 for any other.
   */
  public get impliedIpVersion(): number {
    if (this.name === 'ICMP' || this.protocolNumber === 1) return 4;
    if (this.name === 'ICMPv6' || this.protocolNumber === 58) return 6;
    return 0;
  }

  /** Whether this is the ICMP or ICMPv6 protocol *by name* (Calico's ICMP type/code match requires the name). */
  public get isIcmpByName(): boolean {
    return this.name === 'ICMP' || this.name === 'ICMPv6';
  }

  /** Whether this is TCP given by name (Calico's HTTP match requires "TCP"). */
  public get isTcpByName(): boolean {
    return this.name === 'TCP';
  }

  /** The name, or the number as a string. */
  public toString(): string {
    return this.name ?? String(this.protocolNumber);
  }

  /** The manifest value: the name as a string, or the number as an integer. */
  public toJson(): any {
    return this.name ?? this.protocolNumber;
  }
}
