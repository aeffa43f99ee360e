import { Emitter } from './emitter';
import { BACKEND_POLICIES } from './emitters/backend-policies';
import { DATA_PATH_CONFIG } from './emitters/data-path-config';
import { FIREWALL_FILES } from './emitters/firewall-files';
import { GATEWAY_POLICIES } from './emitters/gateway-policies';
import { MESH_POLICIES } from './emitters/mesh-policies';
import { REVIEW_FILES } from './emitters/review-files';

/**
 * The synth pipeline: every emitter, in the order they run. Each reads only the model (and the outputs
 * constructs asked for); each lists what it cannot express before it renders. Order matters only where an
 * output is visible to a later one: API objects first (their order in the manifests is their creation order),
 * then files.
 */
export const PIPELINE: readonly Emitter[] = [
  BACKEND_POLICIES, // zones' policies, network sets, IP pools, namespaces (Calico, Calico Enterprise, Cilium, Kubernetes)
  MESH_POLICIES, // the mesh layer of zones that have one (Istio): ServiceEntries, egress point, AuthorizationPolicies
  GATEWAY_POLICIES, // the cdk8s-egress gateways' own Calico policy
  DATA_PATH_CONFIG, // the agents' data-path document, into the gateways' ConfigMaps
  FIREWALL_FILES, // FirewallExport: perimeter firewall files
  REVIEW_FILES, // EgressReview: egress-model.json and the egress map
];
