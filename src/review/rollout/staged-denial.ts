import { FlowRecord, PolicyHitRecord } from './flow-record';
import { calicoZonePolicyName } from '../../backends/calico-policy-name';
import { EgressModelDocument, EgressZoneModel } from '../../model/egress-model-document';

/** A flow a zone's staged policy would deny, and the hit in Felix's pending trace that says so. */
export interface StagedDenial {
  readonly zone: EgressZoneModel;
  readonly hit: PolicyHitRecord;
  /** True when no rule of the zone's policy matched and the tier's end denied it (the hit is EndOfTier). */
  readonly endOfTier: boolean;
}

/**
 * Finds, in a flow's pending trace (Felix evaluates staged policies as if enforced and reports the trace to
 * Goldmane as `pending_policies`), the zone whose staged policy would deny the flow: a StagedGlobalNetworkPolicy
 * hit with action Deny (the zone's deny of external traffic, or its in-cluster Deny), or an EndOfTier Deny the zone's
 * staged policy triggered (no rule matched, e.g. in-cluster traffic a default-tier zone leaves to later policies
 * and none allows). Only the source's report counts: egress policy is evaluated where the flow starts.
 */
export class StagedZonePolicies {
  private readonly byPolicy = new Map<string, EgressZoneModel>();

  constructor(doc: EgressModelDocument) {
    for (const zone of doc.zones) this.byPolicy.set(`${zone.tier}\u0000${bareName(calicoZonePolicyName(zone), zone.tier)}`, zone);
  }

  /** The staged zone that would deny this flow, or undefined. */
  public denialOf(record: FlowRecord): StagedDenial | undefined {
    if (record.reporter === 'Dst') return undefined;
    for (const hit of [...record.pendingPolicies].sort((a, b) => a.policyIndex - b.policyIndex)) {
      if (hit.action !== 'Deny') continue;
      const endOfTier = hit.kind === 'EndOfTier';
      const policy = endOfTier ? hit.trigger : hit;
      if (!policy || policy.kind !== 'StagedGlobalNetworkPolicy') continue;
      const zone = this.zoneOf(policy, hit.tier);
      if (zone) return { zone, hit, endOfTier };
    }
    return undefined;
  }

  /** Staged policy names in a trace that no zone of the app owns (another app's, or a zone since renamed). */
  public foreignStagedPolicies(record: FlowRecord): string[] {
    return record.pendingPolicies
      .map(h => (h.kind === 'EndOfTier' ? h.trigger : h))
      .filter((h): h is PolicyHitRecord => h !== undefined && h.kind === 'StagedGlobalNetworkPolicy' && /^(.*\.)?egress-/.test(h.name) && !this.zoneOf(h, h.tier))
      .map(h => `${h.tier}/${h.name}`);
  }

  private zoneOf(policy: PolicyHitRecord, tier: string): EgressZoneModel | undefined {
    const t = policy.tier || tier;
    return this.byPolicy.get(`${t}\u0000${bareName(policy.name, t)}`);
  }
}

/**
 * A policy's name without the tier prefix and the staged marker. Felix v3.31 reports a default-tier zone's staged
 * deny as kind StagedGlobalNetworkPolicy, tier "default", name "egress-<zone>" (seen in the lab,
 * test/lab/rollout-report.test.ts); tiered policies are named `<tier>.egress-<zone>` by us, Calico's v1 CRDs store
 * policies as `<tier>.<name>`, and Felix's rule IDs mark staged ones `staged:`, so those forms are read too.
 */
function bareName(name: string, tier: string): string {
  const n = name.replace(/^staged:/, '');
  return n.startsWith(`${tier}.`) ? n.slice(tier.length + 1).replace(/^staged:/, '') : n;
}
