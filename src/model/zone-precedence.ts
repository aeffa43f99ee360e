/**
 * Which zone owns a workload that several zones select: the first by `order`, then by name (Calico's own
 * policy order). One zone's posture decides a workload's egress, on every backend, in can-reach and in the
 * data path; the other zones' policies must not apply to it. See docs/backends.md, "Overlapping zones".
 */
import { oncePer } from './bounded-memo';
import { EgressZoneModel } from './egress-model-document';
import { KubeLabelSelector, LabelSelectorRequirement, tryKubeLabelSelector } from './selector/label-selector-translation';

/** Zones in precedence order: lower order first, then name. */
export function byPrecedence(zones: readonly EgressZoneModel[]): EgressZoneModel[] {
  return [...zones].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether `a` comes before `b`. */
export function precedes(a: EgressZoneModel, b: EgressZoneModel): boolean {
  return a.order < b.order || (a.order === b.order && a.name < b.name);
}

/**
 * Whether two zones may select the same workload: false only when the library can prove they cannot
 * (namespaces listed by name that do not meet, or pod selectors that contradict each other on a label).
 */
export function mayShareWorkloads(a: EgressZoneModel, b: EgressZoneModel): boolean {
  const byNameOnly = !a.members.namespaceSelector && !b.members.namespaceSelector;
  if (byNameOnly && !a.members.namespaces.some(n => b.members.namespaces.includes(n))) return false;
  const pa = labelSelectorOf(a.members.podSelector);
  const pb = labelSelectorOf(b.members.podSelector);
  if (!pa || !pb) return true;
  return !contradicts(requirementsOf(pa).concat(requirementsOf(pb)));
}

const LABEL_SELECTORS = new Map<string, KubeLabelSelector | undefined>();
/** A pod selector as a label selector (undefined when it has none), parsed once per text. */
export function labelSelectorOf(selector: string): KubeLabelSelector | undefined {
  if (!LABEL_SELECTORS.has(selector)) {
    if (LABEL_SELECTORS.size > 10_000) LABEL_SELECTORS.clear();
    LABEL_SELECTORS.set(selector, tryKubeLabelSelector(selector).selector);
  }
  return LABEL_SELECTORS.get(selector);
}

/** Per zone list: zones by namespace name and the zones that choose namespaces by label (estates have thousands of zones). */
const INDEXES = new WeakMap<readonly EgressZoneModel[], { byNamespace: Map<string, EgressZoneModel[]>; byLabel: EgressZoneModel[] }>();

function indexOf(zones: readonly EgressZoneModel[]) {
  return oncePer(INDEXES, zones, () => {
    const byNamespace = new Map<string, EgressZoneModel[]>();
    for (const z of zones) for (const n of z.members.namespaces) byNamespace.set(n, [...(byNamespace.get(n) ?? []), z]);
    return { byNamespace, byLabel: zones.filter(z => z.members.namespaceSelector) };
  });
}

/** The zones that may select some of `zone`'s workloads (itself excluded). */
function candidates(zone: EgressZoneModel, zones: readonly EgressZoneModel[]): EgressZoneModel[] {
  const index = indexOf(zones);
  const found = zone.members.namespaceSelector ? [...zones]
    : [...zone.members.namespaces.flatMap(n => index.byNamespace.get(n) ?? []), ...index.byLabel];
  return [...new Set(found)].filter(z => z !== zone && z.name !== zone.name && mayShareWorkloads(z, zone));
}

/** The zones that come before `zone` and may select some of its workloads, in precedence order. */
export function shadowingZones(zone: EgressZoneModel, zones: readonly EgressZoneModel[]): EgressZoneModel[] {
  return byPrecedence(candidates(zone, zones).filter(z => precedes(z, zone)));
}

/** A selector's requirements, matchLabels included, as one list. */
export function requirementsOf(s: KubeLabelSelector): LabelSelectorRequirement[] {
  return [
    ...Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'In', values: [v] })),
    ...(s.matchExpressions ?? []),
  ];
}

/**
 * The negation of a label selector as alternatives, each one requirement (De Morgan: not (r1 and r2) is
 * (not r1) or (not r2)). Empty when the selector selects everything: nothing is left outside it.
 */
export function negationAlternatives(s: KubeLabelSelector): LabelSelectorRequirement[] {
  return requirementsOf(s).map(r => {
    switch (r.operator) {
      case 'In': return { key: r.key, operator: 'NotIn', values: r.values };
      case 'NotIn': return { key: r.key, operator: 'In', values: r.values };
      case 'Exists': return { key: r.key, operator: 'DoesNotExist' };
      default: return { key: r.key, operator: 'Exists' };
    }
  });
}

/** Whether requirements ANDed together can match no label set. */
function contradicts(reqs: LabelSelectorRequirement[]): boolean {
  const byKey = new Map<string, LabelSelectorRequirement[]>();
  for (const r of reqs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  for (const list of byKey.values()) {
    const absent = list.some(r => r.operator === 'DoesNotExist');
    const present = list.some(r => r.operator === 'Exists' || r.operator === 'In');
    if (absent && present) return true;
    let allowed: Set<string> | undefined;
    for (const r of list.filter(x => x.operator === 'In')) {
      const vs = new Set(r.values ?? []);
      allowed = allowed ? new Set([...allowed].filter(v => vs.has(v))) : vs;
    }
    if (allowed) {
      const forbidden = new Set(list.filter(x => x.operator === 'NotIn').flatMap(x => x.values ?? []));
      if (![...allowed].some(v => !forbidden.has(v))) return true;
    }
  }
  return false;
}

/** Most selectors one zone's policy is split into to leave out the workloads of zones before it. */
export const MAX_EXCLUSION_SELECTORS = 64;

/**
 * All ways to pick one alternative per shadowing zone: each result is a list of requirements that, ANDed
 * with the zone's own selector, selects workloads none of those zones owns. Empty: nothing is left (a zone
 * before it selects all of the zone's workloads). Undefined: more than MAX_EXCLUSION_SELECTORS.
 */
export function exclusionCombinations(alternatives: LabelSelectorRequirement[][][]): LabelSelectorRequirement[][] | undefined {
  let out: LabelSelectorRequirement[][] = [[]];
  for (const alts of alternatives) {
    const next: LabelSelectorRequirement[][] = [];
    for (const picked of out) for (const alt of alts) next.push([...picked, ...alt]);
    if (next.length > MAX_EXCLUSION_SELECTORS) return undefined;
    out = next;
  }
  return out;
}

/** The warnings synth prints about zones that may share workloads with the same order (the winner is then the name's). */
export function overlapWarnings(zones: readonly EgressZoneModel[]): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const b of byPrecedence(zones)) {
    for (const a of shadowingZones(b, zones)) {
      if (a.order !== b.order) continue;
      out.push({
        path: b.path,
        message: `zones "${a.name}" and "${b.name}" may select the same pods (${membersText(a)}; ${membersText(b)}) and have the same order ${a.order}: `
          + `zone "${a.name}" decides for pods both select (by name), zone "${b.name}" does not apply to them; hint: give the zone that should win a lower order (EgressZone order), or make the selectors exclusive`,
      });
    }
  }
  return out;
}

function membersText(z: EgressZoneModel): string {
  const ns = [...z.members.namespaces.map(n => `namespace ${n}`), ...(z.members.namespaceSelector ? [`namespaces ${z.members.namespaceSelector}`] : [])].join(' or ');
  return `"${z.name}": ${ns}, pods ${z.members.podSelector}`;
}
