/**
 * The name of a zone's Calico policy (GlobalNetworkPolicy, or StagedGlobalNetworkPolicy when staged). One home:
 * the Calico renderers write it, and the rollout report finds a zone's verdicts in Calico's flow logs by it.
 * Outside the default tier the name carries the tier as its prefix (`<tier>.egress-<zone>`), as Calico's
 * validation of tiered policy names has asked since tiers exist.
 */
export function calicoZonePolicyName(zone: { readonly name: string; readonly tier: string }): string {
  return zone.tier === 'default' ? `egress-${zone.name}` : `${zone.tier}.egress-${zone.name}`;
}
