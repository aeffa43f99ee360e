import type { DestinationSet } from '../destination-set';
import { DestinationEntries } from './destination-entries';
import { checkedHttpMatch } from './http-rule';
import { checkedPortList } from './port-list';
import { BoundedMemo } from '../../model/bounded-memo';
import { EgressValidationError } from '../../model/errors';
import { HttpMatchModel } from '../../model/http-match';
import { toDnsLabel, validateDnsLabel } from '../../model/names';
import { Port, PortModel } from '../../model/port';
import type { ModelBuilder } from '../../synth/model-builder';
import type { AllowExternalOptions } from '../egress-rule';

/**
 * One AllowExternal rule, checked and reduced to what the model needs. Shared by the AllowExternal construct
 * (rules for several zones) and `EgressZone.allow()`, whose rules are not constructs: a zone's rules are part
 * of the zone, as a security group's rules are in aws-cdk, and 100,000 rule constructs were most of what cdk8s
 * walked on every pass of a 5,000-zone synth.
 */
export class RuleDeclaration {
  public readonly ruleName: string;
  private readonly sets: DestinationSet[];
  /** Inline addresses and domains: a destination set of the rule's own, declared without a construct. */
  private readonly inline?: { name: string; entries: DestinationEntries };
  private readonly portModels: PortModel[];
  private readonly description?: string;
  private readonly gatewayName?: string;
  private readonly bypassGateway: boolean;
  private readonly http?: HttpMatchModel;

  /**
   * @param path the rule's path (a construct's, or "<zone>/<id>" for a zone's own rule), named by errors
   * @param id the rule's id (its name unless options.name is given)
   * @param ownerZoneName the zone the rule belongs to, whose name prefixes the inline set's name
   */
  constructor(public readonly path: string, id: string, ownerZoneName: string | undefined, props: AllowExternalOptions) {
    this.description = props.description;
    this.gatewayName = props.via?.gatewayName;
    this.bypassGateway = props.bypassGateway ?? false;
    this.ruleName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
    if (props.to.length === 0) throw new EgressValidationError('to', '[]', 'is empty: a rule needs at least one destination', path, 'to: [Destination.cidr("203.0.113.0/24")]');
    if (props.via && props.bypassGateway) {
      throw new EgressValidationError('bypassGateway', 'true', `contradicts via "${props.via.gatewayName}"`, path);
    }
    // An empty list is not "all traffic": a list computed to nothing must not fail open. In the model, a rule's
    // empty port list is all traffic.
    const ports = props.ports === undefined ? [] : checkedPortList('ports', props.ports, path,
      'say Port.allTraffic() for every protocol and port, or leave ports out');
    this.portModels = internPortModels(ports.length === 1 && ports[0].isAllTraffic ? [] : ports);
    if (props.http) this.http = checkedHttpMatch(props.http.toModel(), this.portModels, path);

    this.sets = props.to.filter(d => d._set).map(d => d._set!);
    const inlineCidrs = props.to.flatMap(d => d._cidrs);
    const inlineDomains = props.to.flatMap(d => d._domains);
    if (inlineCidrs.length > 0 || inlineDomains.length > 0) {
      // zone.allow('https', …) in two zones must not collide: a rule owned by a zone prefixes the zone's name.
      const setName = props.name === undefined && ownerZoneName !== undefined ? toDnsLabel(`${ownerZoneName}-${this.ruleName}`) : this.ruleName;
      // Errors name the rule's "Destinations", where the addresses were given.
      const setPath = `${path}/Destinations`;
      // Errors name what the user wrote: the rule and its `to` entries, not the set made from them.
      const name = validateDnsLabel('name', setName, path);
      const entries = new DestinationEntries(setPath, path);
      props.to.forEach((d, i) => {
        d._cidrs.forEach(e => entries.addCidrAt(`to[${i}]`, e.cidr, e.description));
        d._domains.forEach(x => entries.addDomainAt(`to[${i}]`, x));
      });
      this.inline = { name, entries };
    }
  }

  /** Declares the rule (and its inline set) for each of `zoneNames`. */
  public contribute(builder: ModelBuilder, zoneNames: readonly string[]): void {
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
    for (const zoneName of zoneNames) {
      builder.addRule(zoneName, {
        name: this.ruleName,
        path: this.path,
        description: this.description,
        destinationSets,
        ports: this.portModels,
        gateway: this.gatewayName,
        bypassGateway: this.bypassGateway,
        ...(this.http ? { http: this.http } : {}),
      });
    }
  }
}

// Rules repeat a handful of port lists: each list of models is built once and shared (models are frozen).
const PORT_LISTS = new BoundedMemo<string, PortModel[]>(10_000);
function internPortModels(ports: Port[]): PortModel[] {
  const key = ports.map(p => p.toString()).join(',');
  return PORT_LISTS.get(key) ?? PORT_LISTS.set(key, Object.freeze(ports.map(p => p.toModel())) as PortModel[]);
}
