import { problem } from '../model/errors';

/** A feature of the egress model, as the backend support table names it. */
export enum BackendFeature {
  /** Addresses (CIDRs). */
  ADDRESSES = 'addresses',
  /** Zones selecting the same pods. */
  OVERLAPPING_ZONES = 'overlapping-zones',
  /** Domain names. */
  DOMAIN_NAMES = 'domain-names',
  /** Ports, port ranges and named ports. */
  PORTS = 'ports',
  /** ICMP type and code. */
  ICMP = 'icmp',
  /** IP protocols other than TCP, UDP, SCTP and ICMP. */
  OTHER_PROTOCOLS = 'other-protocols',
  /** Calico selectors. */
  SELECTORS = 'selectors',
  /** Namespaces chosen by label. */
  NAMESPACE_SELECTORS = 'namespace-selectors',
  /** Policy tiers. */
  TIERS = 'tiers',
  /** A zone's policy winning over other policies. */
  ZONE_PRECEDENCE = 'zone-precedence',
  /** NAT pools. */
  NAT_POOLS = 'nat-pools',
  /** cdk8s-egress gateways. */
  GATEWAYS = 'gateways',
  /** Calico Enterprise gateways. */
  CALICO_ENTERPRISE_GATEWAYS = 'calico-enterprise-gateways',
}

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
}

/** What one backend does with one feature of the egress model. */
export interface BackendCapability {
  /** The feature, as a key. */
  readonly key: BackendFeature;
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
  /** How far each backend supports the feature. */
  readonly support: BackendSupportRow;
}

type Cell = BackendSupportCell;

/** The built-in backends' names (Backend.CALICO.name, …) and their column of the table. */
const COLUMNS: { [backend: string]: keyof BackendSupportRow } = {
  'calico': 'calico',
  'calico-enterprise': 'calicoEnterprise',
  'cilium': 'cilium',
  'kubernetes': 'kubernetes',
};

function row(key: BackendFeature, feature: string, cells: BackendSupportRow): BackendCapability {
  return {
    key,
    feature,
    calico: cells.calico.text,
    calicoEnterprise: cells.calicoEnterprise.text,
    cilium: cells.cilium.text,
    kubernetes: cells.kubernetes.text,
    support: cells,
  };
}

// The table, one row per feature: per backend what it does (the prose docs/backends.md shows) and how far it
// supports the feature (what the renderers' checks and the test of the table read).
const yes = (text: string): Cell => ({ support: BackendSupport.SUPPORTED, text });
const partly = (text: string): Cell => ({ support: BackendSupport.PARTIAL, text });
const no = (text: string): Cell => ({ support: BackendSupport.UNSUPPORTED, text });

const TABLE: BackendCapability[] = [
  row(BackendFeature.ADDRESSES, 'Addresses (CIDRs)', {
    calico: yes('yes: (Global)NetworkSet selected by label, cluster ranges an allowed prefix overlaps in `notNets`'),
    calicoEnterprise: yes('yes: (Global)NetworkSet selected by label, cluster ranges an allowed prefix overlaps in `notNets`'),
    cilium: yes('yes: `toCIDRSet`, cluster ranges inside an allowed prefix in `except`, prefixes inside cluster ranges left out'),
    kubernetes: yes('yes: `ipBlock`, cluster ranges inside an allowed prefix in `except`, prefixes inside cluster ranges left out'),
  }),
  row(BackendFeature.OVERLAPPING_ZONES, 'Zones selecting the same pods', {
    calico: yes('the first by order, then name: Calico\'s policy order, and later zones\' selectors leave its pods out'),
    calicoEnterprise: yes('the first by order, then name: Calico\'s policy order, and later zones\' selectors leave its pods out'),
    cilium: yes('the first by order, then name: later zones\' endpoint selectors leave its pods out (one spec per way of being outside it)'),
    kubernetes: yes('the first by order, then name: later zones\' pod selectors leave its pods out (one NetworkPolicy per way of being outside it)'),
  }),
  row(BackendFeature.DOMAIN_NAMES, 'Domain names', {
    calico: no('error'),
    calicoEnterprise: yes('yes: `allowedEgressDomains` of the set (`*` spans any number of labels)'),
    cilium: partly('yes: `toFQDNs`, DNS proxy turned on by the DNS rule (`*` matches within one label: narrower)'),
    kubernetes: no('error'),
  }),
  row(BackendFeature.PORTS, 'Ports, ranges, named ports', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: yes('yes (`endPort`; a whole protocol is port 0)'),
    kubernetes: yes('yes (`endPort`)'),
  }),
  row(BackendFeature.ICMP, 'ICMP type / code', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: partly('type only (`icmps`); codes and "every type": error'),
    kubernetes: no('error'),
  }),
  row(BackendFeature.OTHER_PROTOCOLS, 'Other IP protocols (GRE, ESP, …)', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: no('error'),
    kubernetes: no('error'),
  }),
  row(BackendFeature.SELECTORS, 'Selectors', {
    calico: yes('full Calico grammar'),
    calicoEnterprise: yes('full Calico grammar'),
    cilium: partly('`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error'),
    kubernetes: partly('`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error'),
  }),
  row(BackendFeature.NAMESPACE_SELECTORS, 'Namespaces chosen by label', {
    calico: yes('yes'),
    calicoEnterprise: partly('yes (not for zones with a Calico Enterprise gateway: error)'),
    cilium: yes('yes (`io.cilium.k8s.namespace.labels.*`)'),
    kubernetes: no('error (a NetworkPolicy lives in one named namespace)'),
  }),
  row(BackendFeature.TIERS, 'Tiers', {
    calico: yes('yes'),
    calicoEnterprise: yes('yes'),
    cilium: no('error'),
    kubernetes: no('error'),
  }),
  row(BackendFeature.ZONE_PRECEDENCE, 'Zone wins over other policies', {
    calico: yes('yes: order 100 and a deny of everything external'),
    calicoEnterprise: yes('yes: order 100 and a deny of everything external'),
    cilium: partly('yes: `egressDeny` of the world except what the zone allows; not for zones with domain names'),
    kubernetes: partly('no: NetworkPolicies are additive, another policy can allow more'),
  }),
  row(BackendFeature.NAT_POOLS, 'NAT pools', {
    calico: yes('yes: IPPools, disabled no-NAT pools'),
    calicoEnterprise: yes('yes: IPPools, disabled no-NAT pools'),
    cilium: no('error (masquerading is cluster-wide)'),
    kubernetes: no('error (pools are the CNI\'s)'),
  }),
  row(BackendFeature.GATEWAYS, 'cdk8s-egress gateways', {
    calico: yes('yes: the cdk8s-egress data path'),
    calicoEnterprise: yes('yes: the cdk8s-egress data path'),
    cilium: partly('Cilium\'s own: CiliumEgressGatewayPolicy (needs the gateway\'s nodeSelector and one IPv4 egress IP; fail-open: error)'),
    kubernetes: no('error (NetworkPolicy cannot steer traffic)'),
  }),
  row(BackendFeature.CALICO_ENTERPRISE_GATEWAYS, 'Calico Enterprise gateways', {
    calico: no('error'),
    calicoEnterprise: partly('yes: EgressGateway, IPPool, EgressGatewayPolicy, namespace annotation (whole namespaces; fail-open: error)'),
    cilium: no('error'),
    kubernetes: no('error'),
  }),
];

/**
 * What each backend can express. Asking a backend for something marked "error" fails at synth time with
 * a message naming the backend, the feature and the construct path: never a silently weaker policy.
 */
export class BackendCapabilities {
  /** The support table, one row per feature. */
  public static table(): BackendCapability[] {
    return TABLE.map(r => ({ ...r }));
  }

  /**
   * How far a built-in backend supports a feature (what its checks ask before they report a use of it).
   * @param backend a built-in backend's name ("calico", "calico-enterprise", "cilium", "kubernetes")
   * @param feature the feature
   */
  public static supportOf(backend: string, feature: BackendFeature): BackendSupport {
    const column = COLUMNS[backend];
    if (column === undefined) {
      throw new Error(problem(`backend "${backend}" is not in the support table`, undefined, `one of ${Object.keys(COLUMNS).join(', ')}`));
    }
    return TABLE.find(r => r.key === feature)!.support[column].support;
  }

  /** The support table as Markdown (what README and docs/backends.md show). */
  public static markdown(): string {
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    const lines = [
      '| Feature | Calico | Calico Enterprise | Cilium | Kubernetes NetworkPolicy |',
      '|---|---|---|---|---|',
      ...TABLE.map(r => `| ${[r.feature, r.calico, r.calicoEnterprise, r.cilium, r.kubernetes].map(cell).join(' | ')} |`),
    ];
    return `${lines.join('\n')}\n`;
  }

  private constructor() {}
}

/**
 * Whether the table says `backend` cannot express `feature` at all: the renderers ask this before they
 * report a use of the feature, so the table is the one place that says which backend rejects what.
 */
export function rejects(backend: string, feature: BackendFeature): boolean {
  return BackendCapabilities.supportOf(backend, feature) === BackendSupport.UNSUPPORTED;
}
