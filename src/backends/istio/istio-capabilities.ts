import { BackendCapabilities } from '../backend-capabilities';

/**
 * What the Istio mesh layer does with each feature of the support table, beside the zone's network backend (which
 * keeps its own column). A table of its own, keyed like the support table's rows, so that the network backends'
 * table stays one column per network backend.
 */
const ISTIO: { [feature: string]: string } = {
  'addresses': 'host addresses (/32, /128): a ServiceEntry with the address and a STATIC endpoint; ranges: error',
  'overlapping-zones': 'per zone namespace: a mesh zone selects whole namespaces',
  'domain-names': 'yes: a ServiceEntry host (resolution DNS); wildcards: error',
  'ports': 'single TCP ports (a ServiceEntry port each); ranges, named ports, all traffic: error',
  'icmp': 'error',
  'other-protocols': 'error (UDP, SCTP too)',
  'selectors': 'source namespaces, or the zone\'s `serviceAccounts` (a pod selector without them: error)',
  'namespace-selectors': 'error',
  'tiers': 'not applicable (the network backend\'s)',
  'zone-precedence': 'not applicable: the network policy lets the zone\'s external traffic out only through the egress point',
  'in-cluster-pass': 'error: a mesh zone needs in-cluster ALLOW (its pods reach the egress point inside the cluster)',
  'in-cluster-deny': 'error (as above)',
  'api-server': 'the network backend\'s',
  'nat-pools': 'error (the egress point\'s pods leave, not the zone\'s)',
  'gateways': 'error (as above)',
  'calico-enterprise-gateways': 'error (as above)',
  'staged-zones': 'error (no staged AuthorizationPolicy)',
  'http-rules': 'yes: AuthorizationPolicy at the egress point (methods, exact and prefix paths, hosts; TLS: connection.sni); TLS origination by DestinationRule',
};

/** The mesh layer's table as Markdown (docs/backends.md shows it beside the support table). */
export function istioCapabilitiesMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = BackendCapabilities.table().map(r => `| ${cell(r.feature)} | ${cell(ISTIO[r.key] ?? 'not stated')} |`);
  return ['| Feature | Istio (`mesh: Backend.istio()`, beside the network backend) |', '|---|---|', ...rows].join('\n') + '\n';
}
