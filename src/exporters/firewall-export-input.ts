/**
 * The neutral, flattened input every firewall exporter renders: computed once from the egress model
 * document, so that all formats agree on sources, destinations, ports and dropped rules.
 *
 * Plain data (jsii-friendly): a user's own exporter receives exactly this.
 */

/** One address prefix with the descriptions of the declared entries it covers. */
export interface FirewallAddress {
  /** Canonical CIDR (a host is a /32 or /128). */
  readonly cidr: string;
  /** 4 or 6. */
  readonly ipVersion: number;
  /** Descriptions of the declared entries this prefix covers (sorted, de-duplicated; may be empty). */
  readonly descriptions: string[];
}

/** One protocol/port match, normalised for firewalls. */
export interface FirewallPort {
  /**
   * Lower-case protocol: "tcp", "udp", "sctp", "udplite", "icmp", "icmpv6", a protocol number as text,
   * or "all" for every protocol.
   */
  readonly protocol: string;
  /** IP protocol number; 0 for "all". */
  readonly protocolNumber: number;
  /**
   * First destination port (TCP, UDP and SCTP only).
   * @default - every port of the protocol
   */
  readonly fromPort?: number;
  /**
   * Last destination port, inclusive.
   * @default - every port of the protocol
   */
  readonly toPort?: number;
  /**
   * ICMP type.
   * @default - every type
   */
  readonly icmpType?: number;
  /**
   * ICMP code.
   * @default - every code of the type
   */
  readonly icmpCode?: number;
  /** Canonical text, as in the model ("tcp/443", "udp/5000-5100", "icmp/8", "all"). */
  readonly text: string;
}

/**
 * One allow rule, for one IP family (or for domain names), with the addresses the perimeter sees.
 *
 * A zone's rule becomes one entry per family that has both sources and destinations, plus one entry for
 * its domain names; a rule whose destinations split between NATed and not-NATed sources (a pool's
 * no-NAT destinations) becomes one entry per source.
 */
export interface FirewallRule {
  /** Zone the rule belongs to. */
  readonly zone: string;
  /** The rule's name in the model. */
  readonly rule: string;
  /**
   * Unique, stable id of this entry within the export ("<zone>-<rule>[-nonat]-v4", "…-dns").
   * Lower-case letters, digits and "-"; renderers derive platform names from it.
   */
  readonly id: string;
  /**
   * What the rule is for.
   * @default - no description
   */
  readonly description?: string;
  /** Construct path that declared the rule. */
  readonly path: string;
  /** 4 or 6 for an address rule; 0 for a rule that matches domain names (sources of both families). */
  readonly ipVersion: number;
  /** Source addresses the perimeter sees, aggregated. */
  readonly sources: FirewallAddress[];
  /** Destination addresses, aggregated, with descriptions; empty for a domain rule. */
  readonly destinations: FirewallAddress[];
  /** Destination domain names (exact or "*." wildcards); empty for an address rule. */
  readonly domains: string[];
  /** Ports allowed (never empty: "all" is an explicit port). */
  readonly ports: FirewallPort[];
  /** How the source came about, in words ("NAT outgoing to node addresses (192.0.2.0/26)"). */
  readonly sourceDescription: string;
}

/** One zone's perimeter posture. */
export interface FirewallZone {
  /** Zone name (DNS label). */
  readonly name: string;
  /**
   * What the zone is.
   * @default - no description
   */
  readonly description?: string;
  /** Construct path. */
  readonly path: string;
  /** Exit mode of the zone ("pod-address", "gateway", "node-snat", "nat-outgoing"). */
  readonly exitMode: string;
  /** Every source address of the zone (over all its rules), aggregated: what the default deny covers. */
  readonly sources: FirewallAddress[];
  /** Allow rules, in the zone's declaration order (per rule: IPv4, IPv6, then domains). */
  readonly rules: FirewallRule[];
}

/** Everything an exporter renders. */
export interface FirewallExportInput {
  /** Zones, sorted by name. */
  readonly zones: FirewallZone[];
  /**
   * Problems found while flattening that do not stop the export (rules dropped because a family has no
   * source, zones sharing source addresses). Exporters add their own.
   */
  readonly warnings: string[];
}
