import { CalicoIPPoolSpec } from './calico-ip-pool-spec';
import { CalicoNetworkSetSpec } from './calico-network-set-spec';
import { CalicoGlobalNetworkPolicySpec } from './calico-policy-spec';
import { CalicoEntityRule, CalicoRule } from './calico-rule';

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

function renderEntityRule(er: CalicoEntityRule | undefined): any {
  if (!er) return undefined;
  return {
    nets: er.nets,
    notNets: er.notNets,
    selector: er.selector,
    notSelector: er.notSelector,
    namespaceSelector: er.namespaceSelector,
    ports: er.ports,
    notPorts: er.notPorts,
    serviceAccounts: er.serviceAccounts && { names: er.serviceAccounts.names, selector: er.serviceAccounts.selector },
    services: er.services && { name: er.services.name, namespace: er.services.namespace },
  };
}

/** A Calico rule as manifest JSON. */
export function renderRule(rule: CalicoRule): any {
  return prune({
    action: rule.action,
    ipVersion: rule.ipVersion,
    protocol: rule.protocol,
    icmp: rule.icmp && { type: rule.icmp.type, code: rule.icmp.code },
    notProtocol: rule.notProtocol,
    notICMP: rule.notICMP && { type: rule.notICMP.type, code: rule.notICMP.code },
    source: renderEntityRule(rule.source),
    destination: renderEntityRule(rule.destination),
    http: rule.http && {
      methods: rule.http.methods,
      paths: rule.http.paths?.map(p => ({ exact: p.exact, prefix: p.prefix })),
    },
    metadata: rule.metadata && { annotations: rule.metadata.annotations },
  });
}

/** A (Global)NetworkPolicy spec as manifest JSON (always an object). */
export function renderPolicySpec(spec: CalicoGlobalNetworkPolicySpec): any {
  return prune({
    tier: spec.tier,
    order: spec.order,
    selector: spec.selector,
    namespaceSelector: spec.namespaceSelector,
    serviceAccountSelector: spec.serviceAccountSelector,
    types: spec.types,
    ingress: spec.ingress?.map(renderRule),
    egress: spec.egress?.map(renderRule),
    doNotTrack: spec.doNotTrack,
    preDNAT: spec.preDNAT,
    applyOnForward: spec.applyOnForward,
    performanceHints: spec.performanceHints,
  }) ?? {};
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
