/**
 * The ClusterNetworkPolicy backend on the lab's real kube-apiserver: the network-policy-api release's own CRDs (from
 * its Go module, with their OpenAPI schema and CEL rules) installed, our output server-side applied with strict
 * field validation, and read back unchanged. No CNI here enforces ClusterNetworkPolicy (Calico implements it from
 * 3.32, which the module proxy does not serve; the lab runs Felix 3.31): this checks what the API server accepts,
 * not packets.
 */
import { spawnSync } from 'child_process';
import type { Lab } from './lab';
import { synthExample, toYaml } from './suite';
import { networkPolicyApiCrd } from '../support/network-policy-api-crd';
import { EVERY_FEATURE_WARNING, everyFeatureOutput } from '../validators/cluster-network-policy-estate';

const CRD = 'clusternetworkpolicies.policy.networking.k8s.io';

/** Installs (or replaces) the CRD of one channel and waits until the API server serves the kind. */
export function installClusterNetworkPolicyCrd(lab: Lab, channel: 'standard' | 'experimental'): void {
  lab.kubectl(['apply', '--server-side', '--force-conflicts', '-f', networkPolicyApiCrd(channel)]);
  lab.kubectl(['wait', '--for=condition=Established', `crd/${CRD}`, '--timeout=60s']);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      lab.kubectl(['get', 'clusternetworkpolicies.v1beta1.policy.networking.k8s.io']);
      const stored = JSON.parse(lab.kubectl(['get', 'crd', CRD, '-o', 'json']));
      if (stored.metadata.annotations['policy.networking.k8s.io/channel'] === channel) return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`the API server does not serve the ${channel} ClusterNetworkPolicy CRD`);
    spawnSync('sleep', ['1']);
  }
}

/** Server-side apply with strict field validation (unknown fields are errors, never pruned); the objects read back. */
export function applyStrict(lab: Lab, docs: any[]): any[] {
  const applied = lab.apply(toYaml(docs), ['--validate=strict']).split('\n').filter(Boolean);
  if (applied.length !== docs.length) throw new Error(`applied ${applied.length} of ${docs.length} objects: ${applied.join('; ')}`);
  return docs.map(d => JSON.parse(lab.kubectl(['get', `clusternetworkpolicies.v1beta1.policy.networking.k8s.io/${d.metadata.name}`, '-o', 'json'])));
}

/** The example's ClusterNetworkPolicies (BACKEND=cluster-network-policy). */
export function exampleClusterNetworkPolicies(): any[] {
  return synthExample('cluster-network-policy').docs.filter(d => d.kind === 'ClusterNetworkPolicy');
}

/** The backend's every-feature output (domainNames included), ClusterNetworkPolicies only. */
export function everyFeatureClusterNetworkPolicies(): any[] {
  const out = everyFeatureOutput();
  if (out.warnings.length !== 1 || !EVERY_FEATURE_WARNING.test(out.warnings[0])) throw new Error(`unexpected warnings: ${out.warnings.join('; ')}`);
  return out.objects.filter(d => d.kind === 'ClusterNetworkPolicy');
}
