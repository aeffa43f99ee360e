// The plain-data forms of a Port (model/port.ts): what the egress model document holds.

/** ICMP type and code to match. */
export interface IcmpMatch {
  /**
   * ICMP type (0-254, as Calico allows).
   * @default - every type
   */
  readonly type?: number;
  /**
   * ICMP code (0-255); needs a type, as in Calico (an iptables limitation).
   * @default - every code of the type
   */
  readonly code?: number;
}

/**
 * Backend-neutral form of a {@link Port}, as it appears in the egress model document.
 */
export interface PortModel {
  /**
   * Calico spelling of the protocol ("TCP", "UDP", "ICMP", …) or its number.
   * @default - all protocols
   */
  readonly protocol?: string;
  /**
   * First port of the range.
   * @default - every port
   */
  readonly fromPort?: number;
  /**
   * Last port of the range (equal to fromPort for a single port).
   * @default - every port
   */
  readonly toPort?: number;
  /**
   * Named port (resolved by Calico on the destination workload).
   * @default - not a named port
   */
  readonly portName?: string;
  /**
   * ICMP type.
   * @default - every type
   */
  readonly icmpType?: number;
  /**
   * ICMP code.
   * @default - every code
   */
  readonly icmpCode?: number;
}
