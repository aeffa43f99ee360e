import { FirewallExportInput } from './firewall-export-input';

/** What a firewall platform can express; everything else is reported before anything is rendered. */
export interface ExporterCapabilities {
  /** Whether the platform matches destinations by domain name (FQDN objects, TLS SNI). */
  readonly domains: boolean;
  /**
   * Whether it matches "*." wildcard domains too.
   * @default false
   */
  readonly wildcardDomains?: boolean;
  /** Whether it filters IPv6. */
  readonly ipv6: boolean;
  /** Whether it matches an ICMP type. */
  readonly icmpTypes: boolean;
  /** Whether it matches an ICMP code (with a type). */
  readonly icmpCodes: boolean;
  /**
   * Protocols it matches, lower case: "tcp", "udp", "sctp", "udplite", "icmp", "icmpv6", "all" (every
   * protocol), and "number" for any other protocol given by number.
   */
  readonly protocols: string[];
}

/** One file an exporter writes. */
export interface FirewallExportFile {
  /** Path relative to the export folder, "/"-separated (e.g. "nftables/egress.nft"). */
  readonly path: string;
  /** File content (text; JSON files end with a newline). */
  readonly content: string;
}

/**
 * A firewall platform: declares what it can express and renders the neutral rule list into files.
 *
 * `render` only receives what the capabilities allow (unsupported features are reported, or dropped with
 * a warning where the user chose so, before any exporter runs). It must be deterministic: same input,
 * same bytes; no timestamps.
 */
export interface IFirewallExporter {
  /** Short, unique format id (lower case, e.g. "nftables"); also the folder its files go to. */
  readonly format: string;
  /** What the platform can express. */
  readonly capabilities: ExporterCapabilities;
  /**
   * Problems beyond the declared capabilities (e.g. domain rules on ports the platform cannot inspect, or
   * platform limits), one message each; an empty list when the input can be rendered as it is.
   * Called before any format renders, so every problem of every format is reported together.
   */
  unsupported(input: FirewallExportInput): string[];
  /** Renders the input into one or more files. */
  render(input: FirewallExportInput): FirewallExportFile[];
}

/** What to do with domain names on platforms that cannot match names. */
export enum DomainHandling {
  /** Fail the synth, listing every rule whose domains a format cannot express. */
  ERROR = 'error',
  /** Leave those domains out of that format's output and print a warning per rule. */
  WARN = 'warn',
}
