import { problem } from '../model/errors';

/** How far a backend supports a feature. */
export enum BackendSupport {
  /** Every use of the feature is expressed. */
  SUPPORTED = 'supported',
  /** Some uses are: the others are a synth-time error, or (where the table says so) a weaker guarantee. */
  PARTIAL = 'partial',
  /** Any use of the feature is a synth-time error naming the backend, the feature and the construct path. */
  UNSUPPORTED = 'unsupported',
}

/** One backend's cell of a row: how far it supports the feature, and what it does. */
export interface BackendSupportCell {
  /** How far the backend supports the feature. */
  readonly support: BackendSupport;
  /** What the backend does, as docs/backends.md shows it ("error": a synth-time error). */
  readonly text: string;
}

/** How each built-in backend supports one feature. */
export interface BackendSupportRow {
  /** Open-source Calico. */
  readonly calico: BackendSupportCell;
  /** Calico Enterprise / Calico Cloud. */
  readonly calicoEnterprise: BackendSupportCell;
  /** Cilium. */
  readonly cilium: BackendSupportCell;
  /** Plain Kubernetes NetworkPolicy. */
  readonly kubernetes: BackendSupportCell;
  /** Kubernetes' ClusterNetworkPolicy (network-policy-api). */
  readonly clusterNetworkPolicy: BackendSupportCell;
}

/** What one backend does with one feature of the egress model. */
export interface BackendCapability {
  /** The feature's key ("domain-names", "nat-pools", …), what `BackendCapabilities.supportOf` takes. */
  readonly key: string;
  /** The feature. */
  readonly feature: string;
  /** Open-source Calico. */
  readonly calico: string;
  /** Calico Enterprise / Calico Cloud. */
  readonly calicoEnterprise: string;
  /** Cilium. */
  readonly cilium: string;
  /** Plain Kubernetes NetworkPolicy. */
  readonly kubernetes: string;
  /** Kubernetes' ClusterNetworkPolicy (network-policy-api). */
  readonly clusterNetworkPolicy: string;
  /** How far each backend supports the feature. */
  readonly support: BackendSupportRow;
}

type Cell = BackendSupportCell;

/** The rows' keys: what the renderers' checks name (backend-support.ts). */
export type FeatureKey = 'addresses' | 'overlapping-zones' | 'domain-names' | 'ports' | 'icmp' | 'other-protocols' | 'selectors'
  | 'namespace-selectors' | 'tiers' | 'zone-precedence' | 'in-cluster-pass' | 'in-cluster-deny' | 'api-server' | 'nat-pools' | 'gateways'
  | 'calico-enterprise-gateways' | 'staged-zones' | 'http-rules';

/** The built-in backends' names (Backend.CALICO.name, …) and their column of the table. */
const COLUMNS: { [backend: string]: keyof BackendSupportRow } = {
  'calico': 'calico',
  'calico-enterprise': 'calicoEnterprise',
  'cilium': 'cilium',
  'kubernetes': 'kubernetes',
  'cluster-network-policy': 'clusterNetworkPolicy',
};

function row(key: FeatureKey, feature: string, cells: BackendSupportRow): BackendCapability {
  return {
    key,
    feature,
    calico: cells.calico.text,
    calicoEnterprise: cells.calicoEnterprise.text,
    cilium: cells.cilium.text,
    kubernetes: cells.kubernetes.text,
    clusterNetworkPolicy: cells.clusterNetworkPolicy.text,
    support: cells,
  };
}

// The table, one row per feature: per backend what it does (the prose docs/backends.md shows) and how far it
// supports the feature (what the renderers' checks and the test of the table read).
const yes = (text: string): Cell => ({ support: BackendSupport.SUPPORTED, text });
const partly = (text: string): Cell => ({ support: BackendSupport.PARTIAL, text });
const no = (text: string): Cell => ({ support: BackendSupport.UNSUPPORTED, text });

const TABLE: BackendCapability[] = [
  row('addresses', 'Addresses (CIDRs)', {
    calico: yes('yes: (Global)NetworkSet selected by label, cluster ranges an allowed prefix overlaps in `notNets`'),
    calicoEnterprise: yes('yes: (Global)NetworkSet selected by label, cluster ranges an allowed prefix overlaps in `notNets`'),
    cilium: yes('yes: `toCIDRSet`, cluster ranges inside an allowed prefix in `except`, prefixes inside cluster ranges left out'),
    kubernetes: yes('yes: `ipBlock`, cluster ranges inside an allowed prefix in `except`, prefixes inside cluster ranges left out'),
    clusterNetworkPolicy: yes('yes: `networks` (25 prefixes a peer); in-cluster destinations are decided before the rules, so a prefix never opens them'),
  }),
  row('overlapping-zones', 'Zones selecting the same pods', {
    calico: yes('the first by order, then name: Calico\'s policy order, and later zones\' selectors leave its pods out'),
    calicoEnterprise: yes('the first by order, then name: Calico\'s policy order, and later zones\' selectors leave its pods out'),
    cilium: yes('the first by order, then name: later zones\' endpoint selectors leave its pods out (one spec per way of being outside it)'),
    kubernetes: yes('the first by order, then name: later zones\' pod selectors leave its pods out (one NetworkPolicy per way of being outside it)'),
    clusterNetworkPolicy: yes('the first by order, then name: Admin-tier priorities 100, 101, … in that order, and a zone\'s policy decides every packet of its pods'),
  }),
  row('domain-names', 'Domain names', {
    calico: partly('via the cdk8s-egress node agent: its DNS proxy programs the looked-up addresses before the pod gets the answer (needs an EgressGateway in the app; through a gateway too, leaving with its egress IPs; `*` spans one or more labels; names that share an address are allowed together; NodeLocal DNSCache: its address in the DNS `cidrs`; docs/domain-names.md)'),
    calicoEnterprise: yes('yes: `allowedEgressDomains` of the set (`*` spans any number of labels)'),
    cilium: partly('yes: `toFQDNs`, DNS proxy turned on by the DNS rule (`*` matches within one label: narrower)'),
    kubernetes: no('error'),
    clusterNetworkPolicy: partly('experimental: `domainNames`, with a warning (only the experimental CRD has the field); `*.` matches one or more labels; a name of one label: error'),
  }),
  row('ports', 'Ports, ranges, named ports', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: yes('yes (`endPort`; a whole protocol is port 0)'),
    kubernetes: yes('yes (`endPort`)'),
    clusterNetworkPolicy: partly('yes (`destinationPort` number or range); named ports: error (`destinationNamedPort` is experimental, not for networks)'),
  }),
  row('icmp', 'ICMP type / code', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: partly('type only (`icmps`); codes and "every type": error'),
    kubernetes: no('error'),
    clusterNetworkPolicy: no('error (ICMP only within every protocol)'),
  }),
  row('other-protocols', 'Other IP protocols (GRE, ESP, …)', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: no('error'),
    kubernetes: no('error'),
    clusterNetworkPolicy: no('error'),
  }),
  row('selectors', 'Selectors', {
    calico: yes('full Calico grammar'),
    calicoEnterprise: yes('full Calico grammar'),
    cilium: partly('`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error'),
    kubernetes: partly('`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error'),
    clusterNetworkPolicy: partly('`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error'),
  }),
  row('namespace-selectors', 'Namespaces chosen by label', {
    calico: yes('yes'),
    calicoEnterprise: partly('yes (not for zones with a Calico Enterprise gateway: error)'),
    cilium: yes('yes (`io.cilium.k8s.namespace.labels.*`)'),
    kubernetes: no('error (a NetworkPolicy lives in one named namespace)'),
    clusterNetworkPolicy: yes('yes (the subject\'s namespace selector)'),
  }),
  row('tiers', 'Tiers', {
    calico: yes('yes: a `Tier` (order 100, or the zone\'s `tierOrder`) and the policy in it'),
    calicoEnterprise: yes('yes: a `Tier` (order 100, or the zone\'s `tierOrder`) and the policy in it'),
    cilium: no('error'),
    kubernetes: no('error'),
    clusterNetworkPolicy: no('error (the API\'s own tiers are Admin and Baseline: zones go to Admin)'),
  }),
  row('zone-precedence', 'Zone wins over other policies', {
    calico: yes('yes: order 100 and a deny of everything external'),
    calicoEnterprise: yes('yes: order 100 and a deny of everything external'),
    cilium: partly('yes: `egressDeny` of the world except what the zone allows; not for zones with domain names'),
    kubernetes: partly('no: NetworkPolicies are additive, another policy can allow more'),
    clusterNetworkPolicy: yes('yes: the Admin tier comes before every NetworkPolicy, and the zone ends in a `Deny` of everything'),
  }),
  row('in-cluster-pass', 'In-cluster traffic: pass to later policies (the default)', {
    calico: partly('tiered zone: `Pass` to the next tier (allowed when no policy there selects the pod); default tier: later policies of the tier, end-of-tier deny if none allows'),
    calicoEnterprise: partly('tiered zone: `Pass` to the next tier (allowed when no policy there selects the pod); default tier: later policies of the tier, end-of-tier deny if none allows'),
    cilium: partly('no Pass: other policies selecting the pod decide (they add up); denied if none allows'),
    kubernetes: partly('no Pass: other NetworkPolicies selecting the pod decide (they add up); denied if none allows'),
    clusterNetworkPolicy: yes('`Pass` to the NetworkPolicy tier (the pod\'s NetworkPolicies decide), and a Baseline-tier `Deny` for pods none selects'),
  }),
  row('in-cluster-deny', 'In-cluster traffic: deny', {
    calico: yes('yes: `Deny` of pods, cluster and node ranges after DNS'),
    calicoEnterprise: yes('yes: `Deny` of pods, cluster and node ranges after DNS'),
    cilium: no('error (an `egressDeny` of the cluster would deny DNS too)'),
    kubernetes: no('error (NetworkPolicy only allows)'),
    clusterNetworkPolicy: yes('yes: `Deny` of every pod and the pod, Service and node ranges after DNS and the API server'),
  }),
  row('api-server', 'The API server (`allowApiServer`)', {
    calico: yes('yes: its addresses and port after kube-proxy\'s translation'),
    calicoEnterprise: yes('yes: its addresses and port after kube-proxy\'s translation'),
    cilium: yes('yes: `toEntities: [kube-apiserver]` on its port'),
    kubernetes: yes('yes: `ipBlock` of its addresses on its port'),
    clusterNetworkPolicy: yes('yes: `networks` of its addresses on its port'),
  }),
  row('nat-pools', 'NAT pools', {
    calico: yes('yes: IPPools, disabled no-NAT pools'),
    calicoEnterprise: yes('yes: IPPools, disabled no-NAT pools'),
    cilium: no('error (masquerading is cluster-wide)'),
    kubernetes: no('error (pools are the CNI\'s)'),
    clusterNetworkPolicy: no('error (pools are the CNI\'s)'),
  }),
  row('gateways', 'cdk8s-egress gateways', {
    calico: yes('yes: the cdk8s-egress data path'),
    calicoEnterprise: yes('yes: the cdk8s-egress data path'),
    cilium: partly('Cilium\'s own: CiliumEgressGatewayPolicy (needs the gateway\'s nodeSelector and one IPv4 egress IP; fail-open: error)'),
    kubernetes: no('error (NetworkPolicy cannot steer traffic)'),
    clusterNetworkPolicy: no('error (ClusterNetworkPolicy cannot steer traffic)'),
  }),
  row('calico-enterprise-gateways', 'Calico Enterprise gateways', {
    calico: no('error'),
    calicoEnterprise: partly('yes: EgressGateway, IPPool, EgressGatewayPolicy, namespace annotation (whole namespaces; fail-open: error)'),
    cilium: no('error'),
    kubernetes: no('error'),
    clusterNetworkPolicy: no('error'),
  }),
  row('staged-zones', 'Staged zones (`Enforcement.STAGED`)', {
    calico: yes('yes: StagedGlobalNetworkPolicy with the spec of the enforced policy (Felix reports it in flow logs, does not enforce it); traffic kept off the zone\'s gateway'),
    calicoEnterprise: yes('yes: StagedGlobalNetworkPolicy with the spec of the enforced policy (Felix reports it in flow logs, does not enforce it); traffic kept off the zone\'s gateway'),
    cilium: no('error (no staged policy kind: Cilium\'s policy audit mode is per endpoint or agent-wide, not per policy)'),
    kubernetes: no('error (NetworkPolicy has no staged or audit mode)'),
    clusterNetworkPolicy: no('error (no staged or audit mode)'),
  }),
  row('http-rules', 'HTTP rules (methods, paths, hosts; TLS server names)', {
    calico: partly('error without a mesh; with `mesh: Backend.istio()`: the mesh enforces the HTTP part, Calico the addresses and ports at its egress point'),
    calicoEnterprise: partly('error without a mesh; with `mesh: Backend.istio()`: the mesh enforces the HTTP part, Calico the addresses and ports at its egress point'),
    cilium: partly('error without a mesh (Cilium\'s own L7 rules are not rendered); with `mesh: Backend.istio()`: the mesh enforces the HTTP part, Cilium the addresses and ports at its egress point'),
    kubernetes: partly('error without a mesh; with `mesh: Backend.istio()`: the mesh enforces the HTTP part, NetworkPolicy the addresses and ports at its egress point'),
    clusterNetworkPolicy: partly('error without a mesh; with `mesh: Backend.istio()`: the mesh enforces the HTTP part, ClusterNetworkPolicy the addresses and ports at its egress point'),
  }),
];

/**
 * What each backend can express. Asking a backend for something marked "error" fails at synth time with
 * a message naming the backend, the feature and the construct path: never a silently weaker policy.
 */
export class BackendCapabilities {
  /** The support table, one row per feature. */
  public static table(): BackendCapability[] {
    return TABLE.map(r => ({ ...r, support: { ...r.support } }));
  }

  /**
   * How far a built-in backend supports a feature (what its checks ask before they report a use of it).
   * @param backend a built-in backend's name ("calico", "calico-enterprise", "cilium", "kubernetes", "cluster-network-policy")
   * @param feature the feature's key (a row's `key`: "domain-names", "nat-pools", …)
   */
  public static supportOf(backend: string, feature: string): BackendSupport {
    const column = COLUMNS[backend];
    if (column === undefined) {
      throw new Error(problem(`backend "${backend}" is not in the support table`, undefined, `one of ${Object.keys(COLUMNS).join(', ')}`));
    }
    const found = TABLE.find(r => r.key === feature);
    if (!found) throw new Error(problem(`feature "${feature}" is not in the support table`, undefined, `one of ${TABLE.map(r => r.key).join(', ')}`));
    return found.support[column].support;
  }

  /** The support table as Markdown (what README and docs/backends.md show). */
  public static markdown(): string {
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    const lines = [
      '| Feature | Calico | Calico Enterprise | Cilium | Kubernetes NetworkPolicy | ClusterNetworkPolicy |',
      '|---|---|---|---|---|---|',
      ...TABLE.map(r => `| ${[r.feature, r.calico, r.calicoEnterprise, r.cilium, r.kubernetes, r.clusterNetworkPolicy].map(cell).join(' | ')} |`),
    ];
    return `${lines.join('\n')}\n`;
  }

  private constructor() {}
}

/**
 * Whether the backend support table says `backend` cannot express `feature` at all: the renderers ask this
 * before they report a use of the feature, so the table is the one place that says which backend rejects what.
 */
export function rejects(backend: string, feature: FeatureKey): boolean {
  return BackendCapabilities.supportOf(backend, feature) === BackendSupport.UNSUPPORTED;
}
