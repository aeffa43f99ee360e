import { CalicoAction } from './calico-enums';
import { CalicoPort } from './calico-port';
import { CalicoProtocol } from './calico-protocol';

/** ICMP type and code match of a Calico rule (`icmp`, `notICMP`). */
export interface CalicoIcmpFields {
  /**
   * ICMP type, 0-254 (e.g. 8 is Echo Request).
   * @default any type
   */
  readonly type?: number;
  /**
   * ICMP code, 0-255; Calico requires `type` with it.
   * @default any code
   */
  readonly code?: number;
}

/** Kubernetes Service match of an entity rule (`services`). */
export interface CalicoServiceMatch {
  /** Name of the Service. */
  readonly name: string;
  /**
   * Namespace of the Service; required in GlobalNetworkPolicy.
   * @default the policy's namespace (NetworkPolicy only)
   */
  readonly namespace?: string;
}

/** Service-account match of an entity rule (`serviceAccounts`). */
export interface CalicoServiceAccountMatch {
  /**
   * Service account names (OR'd).
   * @default any name
   */
  readonly names?: string[];
  /**
   * Selector over the service accounts' labels (AND'ed with `names`).
   * @default any service account
   */
  readonly selector?: string;
}

/** Source or destination match of a Calico rule (Calico's EntityRule), field names as in the API. */
export interface CalicoEntityRule {
  /**
   * CIDRs (or bare IPs) the peer address must be in; all of one IP family per rule.
   * @default any address
   */
  readonly nets?: string[];
  /**
   * CIDRs the peer address must not be in.
   * @default no exclusion
   */
  readonly notNets?: string[];
  /**
   * Selector over the peer endpoints' (or network sets') labels.
   * @default any endpoint
   */
  readonly selector?: string;
  /**
   * Negated selector: matches packets not from/to endpoints matching it.
   * @default no exclusion
   */
  readonly notSelector?: string;
  /**
   * Selector over namespaces; `global()` (alone) selects non-namespaced resources.
   * @default the policy's namespace (NetworkPolicy) or all namespaces (GlobalNetworkPolicy)
   */
  readonly namespaceSelector?: string;
  /**
   * Ports to match; the rule's protocol must be TCP, UDP or SCTP.
   * @default any port
   */
  readonly ports?: CalicoPort[];
  /**
   * Ports not to match; the rule's protocol must be TCP, UDP or SCTP.
   * @default no exclusion
   */
  readonly notPorts?: CalicoPort[];
  /**
   * Service-account match.
   * @default any service account
   */
  readonly serviceAccounts?: CalicoServiceAccountMatch;
  /**
   * Kubernetes Service match; excludes nets, selectors, namespaceSelector and serviceAccounts.
   * @default no Service match
   */
  readonly services?: CalicoServiceMatch;
}

/** One HTTP path match: exactly one of `exact` and `prefix`. */
export interface CalicoHttpPath {
  /**
   * The path, matched exactly; starts with "/".
   * @default no exact match (use `prefix`)
   */
  readonly exact?: string;
  /**
   * The path prefix; starts with "/".
   * @default no prefix match (use `exact`)
   */
  readonly prefix?: string;
}

/** HTTP match of an Allow rule (application layer policy). */
export interface CalicoHttpMatch {
  /**
   * HTTP methods (OR'd), each at most once.
   * @default any method
   */
  readonly methods?: string[];
  /**
   * Paths (OR'd).
   * @default any path
   */
  readonly paths?: CalicoHttpPath[];
}

/** Metadata of a Calico rule. */
export interface CalicoRuleMetadata {
  /**
   * Annotations describing the rule.
   * @default none
   */
  readonly annotations?: { [key: string]: string };
}

/** A Calico policy rule, field names as in projectcalico.org/v3 `Rule`. */
export interface CalicoRule {
  /** What to do with matching packets. */
  readonly action: CalicoAction;
  /**
   * Protocol to match; required (TCP, UDP or SCTP) when the rule matches ports.
   * @default any protocol
   */
  readonly protocol?: CalicoProtocol;
  /**
   * Protocol not to match.
   * @default no exclusion
   */
  readonly notProtocol?: CalicoProtocol;
  /**
   * ICMP type/code to match; requires protocol ICMP or ICMPv6.
   * @default any ICMP type and code
   */
  readonly icmp?: CalicoIcmpFields;
  /**
   * ICMP type/code not to match.
   * @default no exclusion
   */
  readonly notICMP?: CalicoIcmpFields;
  /**
   * IP version (4 or 6) the rule is restricted to.
   * @default both versions
   */
  readonly ipVersion?: number;
  /**
   * Source match.
   * @default any source
   */
  readonly source?: CalicoEntityRule;
  /**
   * Destination match.
   * @default any destination
   */
  readonly destination?: CalicoEntityRule;
  /**
   * HTTP match (Allow rules in ingress only, protocol TCP or unset).
   * @default no HTTP match
   */
  readonly http?: CalicoHttpMatch;
  /**
   * Rule metadata (annotations).
   * @default none
   */
  readonly metadata?: CalicoRuleMetadata;
}
