import { CalicoIPPoolSpec } from './calico-ip-pool-spec';
import { CalicoNetworkSetSpec } from './calico-network-set-spec';
import { CalicoGlobalNetworkPolicySpec } from './calico-policy-spec';
import { CalicoEntityRule, CalicoRule } from './calico-rule';
import { isSealed } from './sealed-rules';

// Pure rendering of the typed specs into manifest JSON, in the API's field order:
// no undefined, empty strings, empty lists or empty objects; ports and protocols as Calico writes them.

/** Drops undefined/null, "", [] and {} (recursively) and renders value objects by their toJson(). */
export function prune(value: any): any {
  // Runs over every rule of every policy: plain loops, and no output object until a field survives.
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object') return value;
  if (typeof value.toJson === 'function') return value.toJson();
  if (Array.isArray(value)) {
    let items: any[] | undefined;
    for (const item of value) {
      const p = prune(item);
      if (p !== undefined) (items ??= []).push(p);
    }
    return items;
  }
  let out: { [key: string]: any } | undefined;
  for (const k of Object.keys(value)) {
    const p = prune(value[k]);
    if (p !== undefined) (out ??= {})[k] = p;
  }
  return out;
}

/** Sets `out[key]` to the pruned value when anything is left of it; returns `out` (created on first use). */
function put(out: { [key: string]: any } | undefined, key: string, value: any): { [key: string]: any } | undefined {
  const p = prune(value);
  if (p === undefined) return out;
  out ??= {};
  out[key] = p;
  return out;
}

/** `put` for each of `keys` of `from`, in that order (the API's field order). */
function putFields<T>(out: { [key: string]: any } | undefined, from: T, keys: readonly (keyof T & string)[]): { [key: string]: any } | undefined {
  for (const key of keys) out = put(out, key, from[key]);
  return out;
}

const ENTITY_RULE_FIELDS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts'] as const;
const POLICY_HEAD_FIELDS = ['tier', 'order', 'selector', 'namespaceSelector', 'serviceAccountSelector', 'types'] as const;
const POLICY_TAIL_FIELDS = ['doNotTrack', 'preDNAT', 'applyOnForward', 'performanceHints'] as const;

// Rules and entity rules are written field by field (no intermediate object holding every field as
// undefined): there are 170,000 rules at 5,000 zones.
function renderEntityRule(er: CalicoEntityRule | undefined): any {
  if (!er) return undefined;
  let out = putFields(undefined, er, ENTITY_RULE_FIELDS);
  if (er.serviceAccounts) out = put(out, 'serviceAccounts', { names: er.serviceAccounts.names, selector: er.serviceAccounts.selector });
  if (er.services) out = put(out, 'services', { name: er.services.name, namespace: er.services.namespace });
  return out;
}

// The library's renderers share sealed rule objects between policies (the DNS and deny rules of every zone,
// catalog rules): each is rendered once. Rules users pass in are always rendered afresh (they may change a
// rule object between two policies).
const RENDERED_RULES = new WeakMap<CalicoRule, any>();

/** A Calico rule as manifest JSON. */
export function renderRule(rule: CalicoRule): any {
  if (!isSealed(rule)) return renderRuleOnce(rule);
  let json = RENDERED_RULES.get(rule);
  if (json === undefined) {
    json = renderRuleOnce(rule);
    if (json !== undefined) RENDERED_RULES.set(rule, json);
  }
  return json;
}

function renderRuleOnce(rule: CalicoRule): any {
  let out: { [key: string]: any } | undefined;
  out = put(out, 'action', rule.action);
  out = put(out, 'ipVersion', rule.ipVersion);
  out = put(out, 'protocol', rule.protocol);
  if (rule.icmp) out = put(out, 'icmp', { type: rule.icmp.type, code: rule.icmp.code });
  out = put(out, 'notProtocol', rule.notProtocol);
  if (rule.notICMP) out = put(out, 'notICMP', { type: rule.notICMP.type, code: rule.notICMP.code });
  const source = renderEntityRule(rule.source);
  if (source !== undefined) (out ??= {}).source = source;
  const destination = renderEntityRule(rule.destination);
  if (destination !== undefined) (out ??= {}).destination = destination;
  if (rule.http) {
    out = put(out, 'http', {
      methods: rule.http.methods,
      paths: rule.http.paths?.map(p => ({ exact: p.exact, prefix: p.prefix })),
    });
  }
  if (rule.metadata) out = put(out, 'metadata', { annotations: rule.metadata.annotations });
  return out;
}

/** A (Global)NetworkPolicy spec as manifest JSON (always an object). */
export function renderPolicySpec(spec: CalicoGlobalNetworkPolicySpec): any {
  let out = putFields(undefined, spec, POLICY_HEAD_FIELDS);
  // Rendered rules are already pruned: collected as they are, not pruned (copied) a second time.
  for (const key of ['ingress', 'egress'] as const) {
    const rules = spec[key]?.map(renderRule).filter(r => r !== undefined);
    if (rules && rules.length > 0) (out ??= {})[key] = rules;
  }
  out = putFields(out, spec, POLICY_TAIL_FIELDS);
  return out ?? {};
}

/** A (Global)NetworkSet spec as manifest JSON (always an object). */
export function renderNetworkSetSpec(spec: CalicoNetworkSetSpec): any {
  return prune({ nets: spec.nets }) ?? {};
}

/** An IPPool spec as manifest JSON. */
export function renderIPPoolSpec(spec: CalicoIPPoolSpec): any {
  return prune({
    cidr: spec.cidr,
    blockSize: spec.blockSize,
    ipipMode: spec.ipipMode,
    vxlanMode: spec.vxlanMode,
    natOutgoing: spec.natOutgoing,
    disabled: spec.disabled,
    disableBGPExport: spec.disableBGPExport,
    nodeSelector: spec.nodeSelector,
    namespaceSelector: spec.namespaceSelector,
    allowedUses: spec.allowedUses,
    assignmentMode: spec.assignmentMode,
  }) ?? {};
}
