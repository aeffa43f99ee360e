import { Construct } from 'constructs';
import { Destination } from './destination';
import { DestinationSet } from './destination-set';
import { IEgressGateway } from './egress-gateway-ref';
import type { EgressZone } from './egress-zone';
import { DestinationEntries } from './private/destination-entries';
import { EgressValidationError } from '../model/errors';
import { toDnsLabel, validateDnsLabel } from '../model/names';
import { Port, PortModel } from '../model/port';
import { ensureSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';

// The order of String.prototype.localeCompare (default locale and options), without creating a collator
// per comparison.
const COLLATOR = new Intl.Collator();

/** What an AllowExternal rule allows. */
export interface AllowExternalOptions {
  /** Destinations: addresses, domain names and/or shared destination sets. */
  readonly to: Destination[];
  /**
   * Ports and protocols.
   * @default - all traffic to those destinations
   */
  readonly ports?: Port[];
  /**
   * What the rule is for (shown in policies, firewall exports and egress maps).
   * @default - no description
   */
  readonly description?: string;
  /**
   * Name of the rule (DNS label); also names the destination set made from inline addresses.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /**
   * Gateway for these destinations, overriding the zone's (longest-prefix match picks the rule).
   * @default - the zone's gateway, if any
   */
  readonly via?: IEgressGateway;
  /**
   * These destinations never go through a gateway, even when the zone has one.
   * @default false
   */
  readonly bypassGateway?: boolean;
}

/** Properties of an AllowExternal rule. */
export interface AllowExternalProps extends AllowExternalOptions {
  /** Zones that may reach the destinations. */
  readonly zones: EgressZone[];
}

/**
 * Allows one or more zones to reach external destinations on given ports. Inline addresses and domains
 * become one destination set of the rule's own; shared sets are referenced, never copied.
 */
export class AllowExternal extends Construct {
  /** Name of the rule. */
  public readonly ruleName: string;
  private readonly zones: EgressZone[];
  private readonly sets: DestinationSet[];
  /** Inline addresses and domains: a destination set of the rule's own, declared without a construct. */
  private readonly inline?: { name: string; entries: DestinationEntries };
  // Only what the model needs is kept (not the props): an estate has one of these per rule, 100,000 at 5,000 zones.
  /** @internal the construct path, kept: the model builder asks 100,000 rules for it */
  public readonly _modelPath: string;
  private readonly portModels: PortModel[];
  private readonly description?: string;
  private readonly gatewayName?: string;
  private readonly bypassGateway: boolean;

  /**
   * @param scope the construct this AllowExternal belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see AllowExternalProps)
   */
  constructor(scope: Construct, id: string, props: AllowExternalProps) {
    super(scope, id);
    ensureSynthesizer(this);
    const path = this.node.path;
    this._modelPath = path;
    this.description = props.description;
    this.gatewayName = props.via?.gatewayName;
    this.bypassGateway = props.bypassGateway ?? false;
    this.ruleName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
    if (props.zones.length === 0) throw new EgressValidationError('zones', '[]', 'is empty: a rule needs at least one zone', path);
    if (props.to.length === 0) throw new EgressValidationError('to', '[]', 'is empty: a rule needs at least one destination', path);
    if (props.via && props.bypassGateway) {
      throw new EgressValidationError('bypassGateway', 'true', `contradicts via "${props.via.gatewayName}"`, path);
    }
    this.zones = Object.isFrozen(props.zones) ? props.zones : [...props.zones];
    this.portModels = internPortModels(this.dedupePorts(props.ports ?? []));

    this.sets = props.to.filter(d => d._set).map(d => d._set!);
    const inlineCidrs = props.to.flatMap(d => d._cidrs);
    const inlineDomains = props.to.flatMap(d => d._domains);
    if (inlineCidrs.length > 0 || inlineDomains.length > 0) {
      // zone.allow('https', …) in two zones must not collide: a rule owned by a zone prefixes the zone's name.
      const owner = scope as Partial<EgressZone>;
      const setName = props.name === undefined && typeof owner.zoneName === 'string' ? toDnsLabel(`${owner.zoneName}-${this.ruleName}`) : this.ruleName;
      // Errors name the rule's "Destinations", where the addresses were given.
      const setPath = `${path}/Destinations`;
      const name = validateDnsLabel('name', setName, setPath);
      const entries = new DestinationEntries(setPath);
      inlineCidrs.forEach((e, i) => entries.addCidrAt(`entries[${i}].cidr`, e.cidr, e.description));
      inlineDomains.forEach((d, i) => entries.addDomainAt(`domains[${i}]`, d));
      this.inline = { name, entries };
    }
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    const setNames = new Set(this.sets.map(s => s.setName));
    if (this.inline) {
      setNames.add(this.inline.name);
      builder.addDestinationSet(this.inline.entries.declaration({
        name: this.inline.name,
        description: this.description,
        labels: {},
        inline: true,
      }));
    }
    const destinationSets = [...setNames].sort();
    for (const zone of this.zones) {
      builder.addRule(zone.zoneName, {
        name: this.ruleName,
        path: this._modelPath,
        description: this.description,
        destinationSets,
        ports: this.portModels,
        gateway: this.gatewayName,
        bypassGateway: this.bypassGateway,
      });
    }
  }

  // Ports covered by another port of the rule are dropped (like aws-ec2: a covered rule is noise, not an error).
  private dedupePorts(ports: Port[]): Port[] {
    if (ports.length === 1) return ports[0].isAllTraffic ? [] : [ports[0]]; // the common case, nothing to compare
    const unique = [...new Map(ports.map(p => [p.toString(), p])).values()];
    if (unique.some(p => p.isAllTraffic)) return [];
    return unique.filter(p => !unique.some(o => o !== p && p.coveredBy(o) && !(o.coveredBy(p) && o.toString() > p.toString())))
      .sort((a, b) => COLLATOR.compare(a.toString(), b.toString()));
  }
}

// Rules repeat a handful of port lists: each list of models is built once and shared (models are frozen).
const PORT_LISTS = new Map<string, PortModel[]>();
function internPortModels(ports: Port[]): PortModel[] {
  const key = ports.map(p => p.toString()).join(',');
  let models = PORT_LISTS.get(key);
  if (!models) {
    models = Object.freeze(ports.map(p => p.toModel())) as PortModel[];
    if (PORT_LISTS.size >= 10_000) PORT_LISTS.clear();
    PORT_LISTS.set(key, models);
  }
  return models;
}
