import { Construct } from 'constructs';
import { Cidr } from '../model/cidr';
import { EgressValidationError, locate } from '../model/errors';
import { toDnsLabel, validateDnsLabel } from '../model/names';
import type { ModelBuilder } from '../synth/model-builder';

/** One address entry of a destination set, with what it is. */
export interface DestinationEntry {
  /** An IPv4/IPv6 address or CIDR. */
  readonly cidr: string;
  /**
   * What this address is (kept through aggregation into every output that covers it).
   * @default - the set's description
   */
  readonly description?: string;
}

/** Properties of a destination set. */
export interface DestinationSetProps {
  /**
   * Name of the set and of the backend objects it becomes (DNS label, unique in the app).
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * What the set is (shown in firewall exports and egress maps).
   * @default - no description
   */
  readonly description?: string;
  /**
   * Addresses and CIDRs (IPv4 and IPv6 may be mixed).
   * @default - none
   */
  readonly cidrs?: string[];
  /**
   * Addresses with a description each.
   * @default - none
   */
  readonly entries?: DestinationEntry[];
  /**
   * Domain names (exact, or "*.example.com"); only for backends that match on names.
   * @default - none
   */
  readonly domains?: string[];
  /**
   * Extra labels on the backend object.
   * @default - only the library's own label
   */
  readonly labels?: { [key: string]: string };
  /**
   * Make the set namespaced (a Calico NetworkSet) instead of cluster-wide (GlobalNetworkSet).
   * @default - cluster-wide, so any zone in any namespace can use it
   */
  readonly namespace?: string;
}

// RFC 1123 host names, optionally with a leading "*." wildcard (what Calico Enterprise and Cilium accept).
const DOMAIN = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?\.?$/;

/**
 * A named set of external destinations (addresses and/or domain names), shared by any number of
 * AllowExternal rules and zones. Becomes one Calico GlobalNetworkSet (or NetworkSet), so a long
 * allow-list is written once however many zones use it.
 */
export class DestinationSet extends Construct {
  /** Name of the set. */
  public readonly setName: string;
  private readonly description?: string;
  private readonly entries: { cidr: Cidr; description?: string }[] = [];
  private readonly domains: string[] = [];
  private readonly labels: { [key: string]: string };
  private readonly namespace?: string;
  private inline = false;

  /**
   * @param scope the construct this DestinationSet belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see DestinationSetProps)
   */
  constructor(scope: Construct, id: string, props: DestinationSetProps = {}) {
    super(scope, id);
    this.setName = validateDnsLabel('name', props.name ?? toDnsLabel(id), this.node.path);
    this.description = props.description;
    this.labels = { ...(props.labels ?? {}) };
    this.namespace = props.namespace === undefined ? undefined : validateDnsLabel('namespace', props.namespace, this.node.path);
    (props.cidrs ?? []).forEach((c, i) => this.addCidrAt(`cidrs[${i}]`, c));
    (props.entries ?? []).forEach((e, i) => this.addCidrAt(`entries[${i}].cidr`, e.cidr, e.description));
    (props.domains ?? []).forEach((d, i) => this.addDomainAt(`domains[${i}]`, d));
  }

  /** Adds an address or CIDR. */
  public addCidr(cidr: string, description?: string): void {
    this.addCidrAt('cidr', cidr, description);
  }

  /** Adds a domain name. */
  public addDomain(domain: string): void {
    this.addDomainAt('domain', domain);
  }

  /** Whether the set has any domain names. */
  public get hasDomains(): boolean {
    return this.domains.length > 0;
  }

  /**
   * Marks the set as one rule's inline addresses (see DestinationSetModel.inline).
   * @internal
   */
  public _markInline(): void {
    this.inline = true;
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    if (this.entries.length === 0 && this.domains.length === 0) {
      throw new EgressValidationError('cidrs', '[]', 'is empty: a destination set needs at least one address or domain', this.node.path);
    }
    builder.addDestinationSet({
      name: this.setName,
      path: this.node.path,
      description: this.description,
      entries: this.entries.map(e => ({ cidr: e.cidr.toString(), description: e.description ?? this.description })),
      domains: [...new Set(this.domains)].sort(),
      labels: this.labels,
      namespace: this.namespace,
      inline: this.inline,
    });
  }

  private addCidrAt(field: string, text: string, description?: string): void {
    const cidr = locate(this.node.path, field, () => Cidr.parse(text));
    this.entries.push({ cidr, description });
  }

  private addDomainAt(field: string, domain: string): void {
    const d = domain.toLowerCase();
    if (d.length > 253 || !DOMAIN.test(d)) {
      throw new EgressValidationError(field, domain, 'is not a domain name (RFC 1123, optionally starting with "*.")', this.node.path);
    }
    this.domains.push(d.replace(/\.$/, ''));
  }
}
