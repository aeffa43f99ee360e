import { Construct } from 'constructs';
import { DestinationEntries } from './private/destination-entries';
import { toDnsLabel, validateDnsLabel } from '../model/names';
import type { ModelBuilder } from '../synth/model-builder';
import { withdraw } from './private/withdraw';
import { constructId } from '../model/construct-id';

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

/**
 * A named set of external destinations (addresses and/or domain names), shared by any number of
 * AllowExternal rules and zones. Becomes one Calico GlobalNetworkSet (or NetworkSet), so a long
 * allow-list is written once however many zones use it.
 */
export class DestinationSet extends Construct {
  /** Name of the set. */
  public readonly setName: string;
  private readonly description?: string;
  private readonly entries: DestinationEntries;
  private readonly labels: { [key: string]: string };
  private readonly namespace?: string;

  /**
   * @param scope the construct this DestinationSet belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see DestinationSetProps)
   */
  constructor(scope: Construct, id: string, props: DestinationSetProps = {}) {
    super(scope, constructId(scope, id, 'DestinationSet'));
    try {
      this.setName = validateDnsLabel('name', props.name ?? toDnsLabel(id), this.node.path);
      this.description = props.description;
      this.entries = new DestinationEntries(this.node.path);
      this.labels = { ...(props.labels ?? {}) };
      this.namespace = props.namespace === undefined ? undefined : validateDnsLabel('namespace', props.namespace, this.node.path);
      (props.cidrs ?? []).forEach((c, i) => this.entries.addCidrAt(`cidrs[${i}]`, c));
      (props.entries ?? []).forEach((e, i) => this.entries.addCidrAt(`entries[${i}].cidr`, e.cidr, e.description));
      (props.domains ?? []).forEach((d, i) => this.entries.addDomainAt(`domains[${i}]`, d));
    } catch (e) {
      withdraw(this);
      throw e;
    }
  }

  /** Adds an address or CIDR. */
  public addCidr(cidr: string, description?: string): void {
    this.entries.addCidrAt('cidr', cidr, description);
  }

  /** Adds a domain name. */
  public addDomain(domain: string): void {
    this.entries.addDomainAt('domain', domain);
  }

  /** Whether the set has any domain names. */
  public get hasDomains(): boolean {
    return this.entries.hasDomains;
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    builder.addDestinationSet(this.entries.declaration({
      name: this.setName,
      description: this.description,
      labels: this.labels,
      namespace: this.namespace,
      inline: false,
    }));
  }
}
