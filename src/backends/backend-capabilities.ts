/** What one backend does with one feature of the egress model. */
export interface BackendCapability {
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
}

// "error" means: asking for it is a synth-time error naming the backend, the feature and the construct path.
const TABLE: BackendCapability[] = [
  {
    feature: 'Addresses (CIDRs)',
    calico: 'yes: (Global)NetworkSet selected by label, cluster ranges an allowed prefix overlaps in `notNets`',
    calicoEnterprise: 'yes: (Global)NetworkSet selected by label, cluster ranges an allowed prefix overlaps in `notNets`',
    cilium: 'yes: `toCIDRSet`, cluster ranges inside an allowed prefix in `except`, prefixes inside cluster ranges left out',
    kubernetes: 'yes: `ipBlock`, cluster ranges inside an allowed prefix in `except`, prefixes inside cluster ranges left out',
  },
  {
    feature: 'Zones selecting the same pods',
    calico: 'the first by order, then name: Calico\'s policy order, and later zones\' selectors leave its pods out',
    calicoEnterprise: 'the first by order, then name: Calico\'s policy order, and later zones\' selectors leave its pods out',
    cilium: 'the first by order, then name: later zones\' endpoint selectors leave its pods out (one spec per way of being outside it)',
    kubernetes: 'the first by order, then name: later zones\' pod selectors leave its pods out (one NetworkPolicy per way of being outside it)',
  },
  {
    feature: 'Domain names',
    calico: 'error',
    calicoEnterprise: 'yes: `allowedEgressDomains` of the set (`*` spans any number of labels)',
    cilium: 'yes: `toFQDNs`, DNS proxy turned on by the DNS rule (`*` matches within one label: narrower)',
    kubernetes: 'error',
  },
  {
    feature: 'Ports, ranges, named ports',
    calico: 'yes',
    calicoEnterprise: 'yes',
    cilium: 'yes (`endPort`; a whole protocol is port 0)',
    kubernetes: 'yes (`endPort`)',
  },
  {
    feature: 'ICMP type / code',
    calico: 'yes',
    calicoEnterprise: 'yes',
    cilium: 'type only (`icmps`); codes and "every type": error',
    kubernetes: 'error',
  },
  {
    feature: 'Other IP protocols (GRE, ESP, …)',
    calico: 'yes',
    calicoEnterprise: 'yes',
    cilium: 'error',
    kubernetes: 'error',
  },
  {
    feature: 'Selectors',
    calico: 'full Calico grammar',
    calicoEnterprise: 'full Calico grammar',
    cilium: '`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error',
    kubernetes: '`==` `!=` `in` `not in` `has()` `&&`, `||` within one label; others: error',
  },
  {
    feature: 'Namespaces chosen by label',
    calico: 'yes',
    calicoEnterprise: 'yes (not for zones with a Calico Enterprise gateway: error)',
    cilium: 'yes (`io.cilium.k8s.namespace.labels.*`)',
    kubernetes: 'error (a NetworkPolicy lives in one named namespace)',
  },
  {
    feature: 'Tiers',
    calico: 'yes',
    calicoEnterprise: 'yes',
    cilium: 'error',
    kubernetes: 'error',
  },
  {
    feature: 'Zone wins over other policies',
    calico: 'yes: order 100 and a deny of everything external',
    calicoEnterprise: 'yes: order 100 and a deny of everything external',
    cilium: 'yes: `egressDeny` of the world except what the zone allows; not for zones with domain names',
    kubernetes: 'no: NetworkPolicies are additive, another policy can allow more',
  },
  {
    feature: 'NAT pools',
    calico: 'yes: IPPools, disabled no-NAT pools',
    calicoEnterprise: 'yes: IPPools, disabled no-NAT pools',
    cilium: 'error (masquerading is cluster-wide)',
    kubernetes: 'error (pools are the CNI\'s)',
  },
  {
    feature: 'cdk8s-egress gateways',
    calico: 'yes: the cdk8s-egress data path',
    calicoEnterprise: 'yes: the cdk8s-egress data path',
    cilium: 'Cilium\'s own: CiliumEgressGatewayPolicy (needs the gateway\'s nodeSelector and one IPv4 egress IP; fail-open: error)',
    kubernetes: 'error (NetworkPolicy cannot steer traffic)',
  },
  {
    feature: 'Calico Enterprise gateways',
    calico: 'error',
    calicoEnterprise: 'yes: EgressGateway, IPPool, EgressGatewayPolicy, namespace annotation (whole namespaces; fail-open: error)',
    cilium: 'error',
    kubernetes: 'error',
  },
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
