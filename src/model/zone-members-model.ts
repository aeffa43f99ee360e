/** Which workloads a zone selects. */
export interface ZoneMembersModel {
  /** Namespace names; empty when the zone selects namespaces by label only. */
  readonly namespaces: string[];
  /**
   * Namespace label selector (Calico grammar, canonical).
   * @default - only the named namespaces
   */
  readonly namespaceSelector?: string;
  /** Pod label selector (Calico grammar, canonical); "all()" for every pod of the namespaces. */
  readonly podSelector: string;
  /**
   * The zone's service accounts ("namespace/name", sorted), by which a mesh identifies its pods.
   * @default - none declared: a mesh allows the zone's whole namespaces
   */
  readonly serviceAccounts?: string[];
}
