import { BoundedMemo } from './bounded-memo';
import { EgressValidationError } from './errors';
import { IcmpMatch, PortModel } from './port-model';
import { Protocol } from './protocol';

// The plain-data forms (IcmpMatch, PortModel) are in port-model.ts, apart from the value object that reads and
// writes them; re-exported here, where the package root and the importers of this file find them.
export * from './port-model';

// Kubernetes IANA_SVC_NAME, which is what Calico's validatePortName applies to named ports.
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const PORT_MODELS = new BoundedMemo<string, PortModel>(10_000);
const PARSE = 'Port.parse()';
const FROM_MODEL = 'Port.fromModel()';

/**
 * What a rule allows at layer 4: a protocol and, where the protocol has them, ports or ICMP type/code.
 *
 * Built with static factories (`Port.tcp(443)`, `Port.udpRange(5000, 5100)`, `Port.icmp({ type: 8 })`);
 * `toString()` is canonical ("tcp/443", "udp/5000-5100", "icmp/8", "all") and is the port's identity.
 */
export class Port {
  // The per-protocol factories repeat one shape on purpose: each is a public static that Python, Java and Go
  // users call by name (jsii has no default-argument overloads); all of them delegate to range() and new Port().
  /** One TCP port. */
  public static tcp(port: number): Port {
    return Port.ranged('Port.tcp()', Protocol.TCP, port, port);
  }

  /** A TCP port range, inclusive. */
  public static tcpRange(fromPort: number, toPort: number): Port {
    return Port.ranged('Port.tcpRange()', Protocol.TCP, fromPort, toPort);
  }

  /** Every TCP port. */
  public static allTcp(): Port {
    return new Port(Protocol.TCP);
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return Port.ranged('Port.udp()', Protocol.UDP, port, port);
  }

  /** A UDP port range, inclusive. */
  public static udpRange(fromPort: number, toPort: number): Port {
    return Port.ranged('Port.udpRange()', Protocol.UDP, fromPort, toPort);
  }

  /** Every UDP port. */
  public static allUdp(): Port {
    return new Port(Protocol.UDP);
  }

  /** One SCTP port. */
  public static sctp(port: number): Port {
    return Port.ranged('Port.sctp()', Protocol.SCTP, port, port);
  }

  /** An SCTP port range, inclusive. */
  public static sctpRange(fromPort: number, toPort: number): Port {
    return Port.ranged('Port.sctpRange()', Protocol.SCTP, fromPort, toPort);
  }

  /** A port range of a protocol that has ports (TCP, UDP or SCTP). */
  public static range(protocol: Protocol, fromPort: number, toPort: number): Port {
    return Port.ranged('Port.range()', protocol, fromPort, toPort);
  }

  /**
   * A named port: Calico resolves the name on the destination workload's container ports.
   * Meaningful only towards in-cluster workloads; external destinations have no named ports.
   */
  public static named(name: string, protocol?: Protocol): Port {
    return Port.namedOf('Port.named()', name, protocol ?? Protocol.TCP);
  }

  /** ICMP (IPv4), optionally one type/code. */
  public static icmp(match?: IcmpMatch): Port {
    return Port.icmpOf('Port.icmp()', Protocol.ICMP, match);
  }

  /** ICMPv6, optionally one type/code. */
  public static icmpv6(match?: IcmpMatch): Port {
    return Port.icmpOf('Port.icmpv6()', Protocol.ICMPV6, match);
  }

  /** All traffic of one protocol (any port). */
  public static allOf(protocol: Protocol): Port {
    return new Port(protocol);
  }

  /** All traffic, every protocol. */
  public static allTraffic(): Port {
    return new Port(undefined);
  }

  /**
   * Parses the canonical form: "tcp/443", "udp/5000-5100", "tcp/name:https", "icmp/8/0", "icmpv6", "tcp",
   * "47" (protocol number), or "all". Also accepts "443/tcp".
   */
  public static parse(text: string): Port {
    const t = text.trim().toLowerCase();
    if (t === 'all' || t === 'any') return Port.allTraffic();
    const parts = t.split('/');
    let [proto, ...rest] = parts;
    if (/^[0-9]+(-[0-9]+)?$/.test(proto) && rest.length === 1 && /^[a-z]+$/.test(rest[0])) {
      [proto, rest] = [rest[0], [parts[0]]];
    }
    const protocol = Port.protocolFromLower(proto, text);
    if (rest.length === 0) return Port.allOf(protocol);
    if (protocol.isIcmp) {
      if (rest.length > 2 || !rest.every(r => /^[0-9]+$/.test(r))) throw EgressValidationError.inFactory(PARSE, 'port', text, 'is not "icmp/<type>[/<code>]"', '"icmp/8" or "icmp/3/4"');
      return Port.icmpOf(PARSE, protocol, { type: Number(rest[0]), code: rest[1] === undefined ? undefined : Number(rest[1]) });
    }
    const spec = rest[0];
    if (spec.startsWith('name:') && rest.length === 1) return Port.namedOf(PARSE, spec.slice(5), protocol);
    const m = rest.length === 1 ? /^([0-9]+)(?:[-:]([0-9]+))?$/.exec(spec) : null;
    if (!m) throw EgressValidationError.inFactory(PARSE, 'port', text, 'is not "<protocol>/<port>[-<port>]"', '"tcp/443", "udp/5000-5100" or "tcp/name:https"');
    return Port.ranged(PARSE, protocol, Number(m[1]), Number(m[2] ?? m[1]));
  }

  /** Rebuilds a port from its model form. */
  public static fromModel(model: PortModel): Port {
    if (model.protocol === undefined) return Port.allTraffic();
    const protocol = Protocol.parse(model.protocol);
    if (model.portName !== undefined) return Port.namedOf(FROM_MODEL, model.portName, protocol);
    if (model.fromPort !== undefined) return Port.ranged(FROM_MODEL, protocol, model.fromPort, model.toPort ?? model.fromPort);
    if (protocol.isIcmp && model.icmpType !== undefined) return Port.icmpOf(FROM_MODEL, protocol, { type: model.icmpType, code: model.icmpCode });
    return Port.allOf(protocol);
  }

  // Every factory checks through these, and names itself: no construct holds the port yet, so the factory the
  // user called is where the problem is.
  private static ranged(factory: string, protocol: Protocol, fromPort: number, toPort: number): Port {
    if (!protocol.supportsPorts) {
      throw EgressValidationError.inFactory(factory, 'port.protocol', protocol.name, 'does not support ports (only TCP, UDP and SCTP do, in Calico)', `Port.allOf(Protocol.of(${protocol.number}))`);
    }
    for (const p of [fromPort, toPort]) {
      // Port 0 is no port: Calico and the API server reject it, and Cilium reads "0" as every port.
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        throw EgressValidationError.inFactory(factory, 'port', String(p), 'is not a port number (1-65535)', 'for every port of a protocol say Port.allTcp(), Port.allUdp() or Port.allOf(protocol)');
      }
    }
    if (fromPort > toPort) {
      throw EgressValidationError.inFactory(factory, 'port', `${fromPort}-${toPort}`, 'is a range whose start is above its end', `${toPort}-${fromPort}`);
    }
    return new Port(protocol, fromPort, toPort);
  }

  private static namedOf(factory: string, name: string, proto: Protocol): Port {
    if (!proto.supportsPorts) {
      throw EgressValidationError.inFactory(factory, 'port.protocol', proto.name, 'does not support ports (only TCP, UDP and SCTP do, in Calico)', 'name a TCP, UDP or SCTP port');
    }
    if (typeof name !== 'string' || name.length > 15 || !PORT_NAME.test(name) || !/[a-z]/.test(name) || name.includes('--')) {
      throw EgressValidationError.inFactory(factory, 'port', String(name), 'is not a valid port name (at most 15 of a-z, 0-9 and "-", with a letter, no "--", no "-" at either end)',
        'use the name of the destination container\'s port, e.g. "https"');
    }
    return new Port(proto, undefined, undefined, name);
  }

  private static protocolFromLower(lower: string, text: string): Protocol {
    switch (lower) {
      case 'tcp': return Protocol.TCP;
      case 'udp': return Protocol.UDP;
      case 'sctp': return Protocol.SCTP;
      case 'udplite': return Protocol.UDPLITE;
      case 'icmp': return Protocol.ICMP;
      case 'icmpv6': return Protocol.ICMPV6;
      default:
        if (/^[0-9]+$/.test(lower)) return Protocol.of(Number(lower));
        throw EgressValidationError.inFactory(PARSE, 'port', text, 'has an unknown protocol', 'use tcp, udp, sctp, udplite, icmp, icmpv6 or a number');
    }
  }

  private static icmpOf(factory: string, protocol: Protocol, match?: IcmpMatch): Port {
    const type = match?.type;
    const code = match?.code;
    if (type !== undefined && (!Number.isInteger(type) || type < 0 || type > 254)) {
      throw EgressValidationError.inFactory(factory, 'icmp.type', String(type), 'is not an ICMP type Calico accepts (0-254)', 'leave type out for every ICMP type; 255 is reserved');
    }
    if (code !== undefined && (!Number.isInteger(code) || code < 0 || code > 255)) {
      throw EgressValidationError.inFactory(factory, 'icmp.code', String(code), 'is not an ICMP code (0-255)', 'leave code out for every code of the type');
    }
    if (code !== undefined && type === undefined) {
      throw EgressValidationError.inFactory(factory, 'icmp.code', String(code), 'is given without an ICMP type (Calico requires the type with a code)', `give the type too, e.g. { type: 3, code: ${code} }`);
    }
    return new Port(protocol, undefined, undefined, undefined, type, code);
  }

  /** The protocol; undefined means every protocol. */
  public readonly protocol?: Protocol;
  /** First port of the range, if the port selects a range. */
  public readonly fromPort?: number;
  /** Last port of the range, if the port selects a range. */
  public readonly toPort?: number;
  /** The port name, for a named port. */
  public readonly portName?: string;
  /** ICMP type, if one is selected. */
  public readonly icmpType?: number;
  /** ICMP code, if one is selected. */
  public readonly icmpCode?: number;
  private readonly canonical: string;

  private constructor(protocol?: Protocol, fromPort?: number, toPort?: number, portName?: string, icmpType?: number, icmpCode?: number) {
    this.protocol = protocol;
    this.fromPort = fromPort;
    this.toPort = toPort;
    this.portName = portName;
    this.icmpType = icmpType;
    this.icmpCode = icmpCode;
    this.canonical = this.render();
  }

  /** Whether this matches every port of its protocol (or every protocol). */
  public get isWholeProtocol(): boolean {
    return this.fromPort === undefined && this.portName === undefined && this.icmpType === undefined;
  }

  /** Whether this is "all traffic". */
  public get isAllTraffic(): boolean {
    return this.protocol === undefined;
  }

  /** Whether a packet of this protocol number and destination port (or ICMP type/code) is matched. */
  public matches(protocolNumber: number, port?: number, icmpCode?: number): boolean {
    if (!this.protocol) return true;
    if (this.protocol.number !== protocolNumber) return false;
    if (this.portName !== undefined) return false; // unknown without the destination pod spec
    if (this.fromPort !== undefined) return port !== undefined && port >= this.fromPort && port <= (this.toPort ?? this.fromPort);
    if (this.icmpType !== undefined) {
      if (port !== this.icmpType) return false;
      return this.icmpCode === undefined || this.icmpCode === icmpCode;
    }
    return true;
  }

  /** Whether every packet this port matches is also matched by `other`. */
  public coveredBy(other: Port): boolean {
    if (!other.protocol) return true;
    if (!this.protocol || this.protocol.number !== other.protocol.number) return false;
    if (other.isWholeProtocol) return true;
    if (other.fromPort !== undefined) {
      return this.fromPort !== undefined && this.fromPort >= other.fromPort && (this.toPort ?? 0) <= (other.toPort ?? 0);
    }
    if (other.portName !== undefined) return this.portName === other.portName;
    if (other.icmpType !== undefined) {
      return this.icmpType === other.icmpType && (other.icmpCode === undefined || this.icmpCode === other.icmpCode);
    }
    return false;
  }

  /** The backend-neutral model form. */
  public toModel(): PortModel {
    // Ports are values: every "tcp/443" of an estate shares one (frozen) model object.
    return PORT_MODELS.get(this.canonical) ?? PORT_MODELS.set(this.canonical, Object.freeze({
      protocol: this.protocol?.name,
      fromPort: this.fromPort,
      toPort: this.toPort,
      portName: this.portName,
      icmpType: this.icmpType,
      icmpCode: this.icmpCode,
    }));
  }

  /** Whether both match exactly the same traffic. */
  public sameAs(other: Port): boolean {
    return this.canonical === other.canonical;
  }

  /** Canonical text: "tcp/443", "tcp/8000-8080", "tcp/name:https", "icmp/8/0", "udp", "all". */
  public toString(): string {
    return this.canonical;
  }

  private render(): string {
    if (!this.protocol) return 'all';
    const p = this.protocol.name.toLowerCase();
    if (this.portName !== undefined) return `${p}/name:${this.portName}`;
    if (this.fromPort !== undefined) return this.fromPort === this.toPort ? `${p}/${this.fromPort}` : `${p}/${this.fromPort}-${this.toPort}`;
    if (this.icmpType !== undefined) return this.icmpCode === undefined ? `${p}/${this.icmpType}` : `${p}/${this.icmpType}/${this.icmpCode}`;
    return p;
  }
}
