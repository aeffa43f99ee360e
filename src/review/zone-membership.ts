import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { Selector } from '../model/selector';
import { BooleanNode, HasNode, LabelSetNode, LabelValueNode, NotNode, SelectorNode } from '../model/selector/ast';
import { parseSelector } from '../model/selector/parser';
import { CALICO_NAMESPACE_NAME_LABEL, NAMESPACE_NAME_LABEL } from '../model/vocabulary';

type Labels = { [key: string]: string };

/** A zone's member selectors, parsed once per zone: the widening search asks about thousands of label sets. */
const parsedMembers = new WeakMap<EgressZoneModel, { namespaceSelector?: Selector; podSelector: Selector }>();

function membersOf(zone: EgressZoneModel): { namespaceSelector?: Selector; podSelector: Selector } {
  let parsed = parsedMembers.get(zone);
  if (!parsed) {
    const ns = zone.members.namespaceSelector;
    parsed = { namespaceSelector: ns === undefined ? undefined : Selector.parse(ns), podSelector: Selector.parse(zone.members.podSelector) };
    parsedMembers.set(zone, parsed);
  }
  return parsed;
}

/** Whether a zone selects the pods with these labels in a namespace with these labels (its name labels are added). */
export function zoneSelects(zone: EgressZoneModel, namespace: string, namespaceLabels: Labels, podLabels: Labels): boolean {
  const members = membersOf(zone);
  const ns = { ...namespaceLabels, [CALICO_NAMESPACE_NAME_LABEL]: namespace, [NAMESPACE_NAME_LABEL]: namespace };
  const nsMatch = zone.members.namespaces.includes(namespace) || (members.namespaceSelector?.matches(ns) ?? false);
  return nsMatch && members.podSelector.matches(podLabels);
}

/** Workloads a zone selected before that no zone selects after: nothing restricts their egress any more. */
export interface LeftWorkloads {
  readonly zone: string;
  readonly namespace: string;
  /** One example of the pods that left (the fewest labels found), or undefined when every pod left. */
  readonly podLabels: Labels;
  readonly namespaceLabels: Labels;
}

/** Above this many label combinations per zone the search stops and reports the zone's change as a possible widening. */
const MAX_CANDIDATES = 50_000;
const NAME_KEYS = [CALICO_NAMESPACE_NAME_LABEL, NAMESPACE_NAME_LABEL];

/**
 * Per zone of `before`, the namespaces with pods that zone selected and no zone of `after` selects: removing a
 * zone, a namespace of it, or narrowing its selectors leaves those pods unrestricted (Kubernetes allows all
 * egress of a pod no policy selects). Exact for the labels the selectors name: candidate workloads are every
 * combination of the values the selectors mention (plus "absent" and one other value) per key.
 */
export function workloadsLeavingZones(before: EgressModelDocument, after: EgressModelDocument): LeftWorkloads[] {
  const out: LeftWorkloads[] = [];
  // estates have thousands of zones: per zone, only the zones of `after` that may select some of its pods
  const byName = new Map<string, EgressZoneModel[]>();
  for (const z of after.zones) for (const n of z.members.namespaces) byName.set(n, [...(byName.get(n) ?? []), z]);
  const byLabel = after.zones.filter(z => z.members.namespaceSelector !== undefined);
  const sameMembers = new Set(after.zones.map(membersKey));
  for (const zone of before.zones) {
    const others = zone.members.namespaceSelector ? after.zones
      : [...new Set([...zone.members.namespaces.flatMap(n => byName.get(n) ?? []), ...byLabel])];
    const podValues = labelValues([zone.members.podSelector, ...others.map(z => z.members.podSelector)]);
    const nsSelectors = [zone, ...others].map(z => z.members.namespaceSelector).filter((s): s is string => s !== undefined);
    const nsValues = labelValues(nsSelectors);
    const names = new Set(zone.members.namespaces);
    if (zone.members.namespaceSelector) {
      for (const z of others) z.members.namespaces.forEach(n => names.add(n));
      for (const key of NAME_KEYS) (nsValues.get(key) ?? []).forEach(v => v !== undefined && names.add(v));
      names.add(otherValue([...names], 'another-namespace'));
    }
    for (const key of NAME_KEYS) nsValues.delete(key);
    const podCombos = combinations(podValues);
    const nsCombos = zone.members.namespaceSelector ? combinations(nsValues) : [{}];
    if (names.size * podCombos.length * nsCombos.length > MAX_CANDIDATES) {
      if (!sameMembers.has(membersKey(zone))) out.push({ zone: zone.name, namespace: '*', podLabels: {}, namespaceLabels: {} });
      continue;
    }
    for (const namespace of [...names].sort()) {
      let found: LeftWorkloads | undefined;
      for (const namespaceLabels of nsCombos) {
        for (const podLabels of podCombos) {
          if (!zoneSelects(zone, namespace, namespaceLabels, podLabels)) continue;
          if (others.some(z => zoneSelects(z, namespace, namespaceLabels, podLabels))) continue;
          const size = Object.keys(podLabels).length + Object.keys(namespaceLabels).length;
          if (!found || size < Object.keys(found.podLabels).length + Object.keys(found.namespaceLabels).length) {
            found = { zone: zone.name, namespace, podLabels, namespaceLabels };
          }
        }
      }
      if (found) out.push(found);
    }
  }
  return out;
}

/** A zone's members as one text: the fallback when the search is too large asks for a zone with exactly these. */
function membersKey(z: EgressZoneModel): string {
  return JSON.stringify([z.members.namespaces, z.members.namespaceSelector ?? '', z.members.podSelector]);
}

/** Per label key the selectors name, the values that tell its terms apart: undefined (absent), each value named, one other. */
function labelValues(selectors: string[]): Map<string, (string | undefined)[]> {
  const named = new Map<string, Set<string>>();
  const visit = (node: SelectorNode) => {
    const add = (key: string, values: readonly string[]) => {
      const set = named.get(key) ?? new Set<string>();
      values.forEach(v => set.add(v));
      named.set(key, set);
    };
    if (node instanceof HasNode) add(node.key, []);
    else if (node instanceof LabelValueNode) add(node.key, [node.value]);
    else if (node instanceof LabelSetNode) add(node.key, node.values);
    for (const child of childrenOf(node)) visit(child);
  };
  for (const s of new Set(selectors)) visit(parseSelector(s));
  const out = new Map<string, (string | undefined)[]>();
  for (const [key, values] of [...named].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.set(key, [undefined, ...[...values].sort(), otherValue([...values], 'other')]);
  }
  return out;
}

function childrenOf(node: SelectorNode): readonly SelectorNode[] {
  if (node instanceof NotNode) return [node.operand];
  if (node instanceof BooleanNode) return node.operands;
  return [];
}

function otherValue(taken: string[], base: string): string {
  let v = base;
  for (let i = 2; taken.includes(v); i++) v = `${base}-${i}`;
  return v;
}

function combinations(values: Map<string, (string | undefined)[]>): Labels[] {
  let out: Labels[] = [{}];
  for (const [key, options] of values) {
    const next: Labels[] = [];
    for (const labels of out) for (const v of options) next.push(v === undefined ? labels : { ...labels, [key]: v });
    out = next;
    if (out.length > MAX_CANDIDATES) return out;
  }
  return out;
}
