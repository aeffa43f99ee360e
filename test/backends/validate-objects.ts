/** Validates any object a backend emits against the schema that applies to it. */
import { validateEgressGateway, validateEgressGatewayPolicy, validateNetworkPolicy } from './api-shapes';
import { validateAgainstCalicoCrd } from '../support/calico-schema';
import { validateAgainstCiliumCrd } from '../support/cilium-schema';
import { isKubeKind, validateKubeObject } from '../support/kube-shape';
import { validateAgainstNetworkPolicyApiCrd } from '../support/network-policy-api-schema';

const DOMAIN = /^(\*\.)?([a-z0-9*]([-a-z0-9*]*[a-z0-9*])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

/** Problems of one object; empty when valid. */
export function validateObject(obj: any): string[] {
  const where = `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
  return problemsOf(obj).map(p => `${where}: ${p}`);
}

function problemsOf(obj: any): string[] {
  // The EgressGateway's workloads, Service, RBAC and ConfigMaps (Namespaces stay with the check below).
  if (isKubeKind(obj) && obj.kind !== 'Namespace') return validateKubeObject(obj);
  switch (obj.apiVersion) {
    case 'cilium.io/v2':
      return validateAgainstCiliumCrd(obj);
    case 'operator.tigera.io/v1':
      return obj.kind === 'EgressGateway' ? validateEgressGateway(obj) : [`no schema for ${obj.kind}`];
    case 'networking.k8s.io/v1':
      return obj.kind === 'NetworkPolicy' ? validateNetworkPolicy(obj) : [`no schema for ${obj.kind}`];
    case 'projectcalico.org/v3': {
      if (obj.kind === 'EgressGatewayPolicy') return validateEgressGatewayPolicy(obj);
      // Calico Enterprise's (Global)NetworkSet adds allowedEgressDomains to the open-source schema.
      const domains = obj.spec?.allowedEgressDomains;
      if (domains === undefined) return validateAgainstCalicoCrd(obj);
      const out: string[] = [];
      if (!['GlobalNetworkSet', 'NetworkSet'].includes(obj.kind)) out.push(`allowedEgressDomains on ${obj.kind}`);
      if (!Array.isArray(domains) || domains.length === 0) out.push('allowedEgressDomains is not a non-empty list');
      else domains.filter((d: unknown) => typeof d !== 'string' || !DOMAIN.test(d)).forEach((d: unknown) => out.push(`allowedEgressDomains: "${d}" is not a domain name`));
      const { allowedEgressDomains, ...spec } = obj.spec;
      return [...out, ...validateAgainstCalicoCrd({ ...obj, spec })];
    }
    case 'policy.networking.k8s.io/v1beta1':
      return validateAgainstNetworkPolicyApiCrd(obj);
    // Istio's kinds and the waypoint's Gateway: judged by Istio's own Go types (test/validators/istio-validator.test.ts)
    // and its CRDs on a real API server (test/lab/istio-crds.test.ts), which need Go and the lab; not here.
    case 'networking.istio.io/v1':
    case 'security.istio.io/v1':
    case 'gateway.networking.k8s.io/v1':
      return [];
    case 'v1':
      return obj.kind === 'Namespace' && typeof obj.metadata?.name === 'string' && obj.metadata.namespace === undefined ? [] : [`unexpected core object ${obj.kind}`];
    default:
      return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  }
}
