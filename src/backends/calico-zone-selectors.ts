import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { Selector } from '../model/selector';
import { CALICO_ENDPOINT_NAMESPACE_LABEL, CALICO_NAMESPACE_NAME_LABEL } from '../model/vocabulary';
import { shadowingZones } from '../model/zone-precedence';

/**
 * The pods a zone owns, in Calico's selector grammar: its pod selector, minus the pods of every zone that shadows it
 * in a namespace of its own. The zone's policy selects them, and the gateway's policy lets replies reach them.
 */
export function ownedSelector(zone: EgressZoneModel, doc: EgressModelDocument): string {
  const shadows = shadowingZones(zone, doc.zones).filter(a => a.members.namespaces.length > 0);
  if (shadows.length === 0) return zone.members.podSelector;
  const namespaceOf = (names: string[]) => (names.length === 1
    ? Selector.labelEquals(CALICO_ENDPOINT_NAMESPACE_LABEL, names[0]) : Selector.labelIn(CALICO_ENDPOINT_NAMESPACE_LABEL, names));
  const owned = shadows.map(a => Selector.and(namespaceOf(a.members.namespaces), Selector.parse(a.members.podSelector)).not());
  return Selector.and(Selector.parse(zone.members.podSelector), ...owned).toString();
}

/** The namespaces of a zone, by name and/or by label, as a Calico namespaceSelector. */
export function namespaceSelectorOf(zone: EgressZoneModel): string {
  const byName = zone.members.namespaces.length === 0 ? undefined
    : zone.members.namespaces.length === 1 ? Selector.labelEquals(CALICO_NAMESPACE_NAME_LABEL, zone.members.namespaces[0])
      : Selector.labelIn(CALICO_NAMESPACE_NAME_LABEL, zone.members.namespaces);
  const byLabel = zone.members.namespaceSelector ? Selector.parse(zone.members.namespaceSelector) : undefined;
  if (byName && byLabel) return Selector.or(byName, byLabel).toString();
  return (byName ?? byLabel)!.toString();
}
